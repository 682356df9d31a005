/* Autosave: each answer is saved on its own, shortly after it changes, with a visible state and retries.
   The page works without this script: its buttons save the page's changed answers.

   "Saved" is shown for one answer only: status 200, JSON, {"ok": true, "item_id": <this item>}. Anything else (the
   sign-in page after the session ended, a redirect, a 4xx, a 5xx, no connection) says "Not saved" with what to do,
   and the answer stays in the form for "Save and continue". */
(function () {
  "use strict";
  var form = document.querySelector("form.question-form");
  if (!form || !window.fetch) { return; }
  var responseId = form.getAttribute("data-response");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var status = document.getElementById("save-status");
  var t = {  /* translated by the server: data-t-* attributes of the form */
    saving: form.getAttribute("data-t-saving"), saved: form.getAttribute("data-t-saved"),
    retry: form.getAttribute("data-t-retry"), ended: form.getAttribute("data-t-ended"),
    offline: form.getAttribute("data-t-offline"), server: form.getAttribute("data-t-server"),
    refused: form.getAttribute("data-t-refused")
  };
  var timers = {};
  var pending = 0;
  var unsaved = {};  /* item id -> its fieldset, for answers the server has not confirmed */
  var submitting = false;

  function stateFor(itemId) { return form.querySelector('[data-state-for="' + itemId + '"]'); }

  function show(itemId, kind, message) {
    var el = stateFor(itemId);
    if (el) {
      el.className = "item-state " + kind;
      el.textContent = message;
      /* read out by the page's status; an answer not saved stays readable where it is, for whoever comes back to it */
      if (kind === "unsaved") { el.removeAttribute("aria-hidden"); } else { el.setAttribute("aria-hidden", "true"); }
    }
    if (status) { status.textContent = message; }
  }

  function collect(fieldset) {
    var itemId = fieldset.getAttribute("data-item");
    var body = { item_id: itemId, choices: [] };
    var checked = fieldset.querySelectorAll('input[name="' + itemId + '"]:checked');
    var text = fieldset.querySelector('input[type=text][name="' + itemId + '"], textarea[name="' + itemId + '"]');
    if (fieldset.querySelector('input[type=checkbox][name="' + itemId + '"]')) {
      checked.forEach(function (el) { body.choices.push(el.value); });
    } else if (checked.length) { body.value = checked[0].value; }
    if (text) { body.text = text.value; }
    var comment = fieldset.querySelector('textarea[name="' + itemId + '-comment"]');
    if (comment) { body.comment = comment.value; }
    return body;
  }

  function markSaved(fieldset, body) {
    var itemId = body.item_id;
    var orig = form.querySelector('input[name="orig-' + itemId + '"]');
    if (orig) { orig.value = body.choices.length ? body.choices.join("|") : (body.value || body.text || ""); }
    var origComment = form.querySelector('input[name="orig-' + itemId + '-comment"]');
    if (origComment && body.comment !== undefined) { origComment.value = body.comment; }
    fieldset.removeAttribute("aria-invalid");
    delete unsaved[itemId];
  }

  function notSaved(fieldset, itemId, message) {
    unsaved[itemId] = fieldset;
    fieldset.setAttribute("aria-invalid", "true");
    show(itemId, "unsaved", message);
  }

  function isJson(res) { return (res.headers.get("Content-Type") || "").indexOf("application/json") === 0; }

  function save(fieldset, attempt) {
    var body = collect(fieldset);
    if (body.value === undefined && body.text === undefined && !body.choices.length && body.comment === undefined) { return; }
    var sent = JSON.stringify(body);
    fieldset.setAttribute("data-sending", sent);
    pending += 1;
    show(body.item_id, "saving", t.saving);
    fetch("/respond/" + responseId + "/answer", {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: sent
    }).then(function (res) {
      var data = isJson(res) ? res.json().catch(function () { return null; }) : Promise.resolve(null);
      return data.then(function (d) { return { res: res, data: d }; });
    }).then(function (r) {
      pending -= 1;
      if (fieldset.getAttribute("data-sending") !== sent) { return; }  /* a later change is on its way */
      var res = r.res, data = r.data;
      if (res.status === 200 && data && data.ok === true && data.item_id === body.item_id) {
        markSaved(fieldset, body);
        show(body.item_id, "saved", t.saved);
        return;
      }
      if (res.type === "opaqueredirect" || res.status === 0 || res.status === 401 || res.status === 403 ||
          (res.status >= 300 && res.status < 400) || (data && data.reason === "session")) {
        return notSaved(fieldset, body.item_id, t.ended);  /* signed out, the link revoked, another account */
      }
      if (res.status >= 500 || res.status === 429) {
        if (attempt < 4) { return retry(fieldset, attempt); }
        return notSaved(fieldset, body.item_id, t.server);
      }
      if (data && data.error) { return notSaved(fieldset, body.item_id, t.refused.replace("{reason}", data.error)); }
      return notSaved(fieldset, body.item_id, t.server);
    }).catch(function () {
      pending -= 1;
      if (fieldset.getAttribute("data-sending") !== sent) { return; }
      notSaved(fieldset, body.item_id, t.offline);  /* said at once; tried again a few times, and when back online */
      if (attempt < 4) { setTimeout(function () { if (unsaved[body.item_id]) { save(fieldset, attempt + 1); } }, backoff(attempt)); }
    });
  }

  function backoff(attempt) { return Math.min(8000, 500 * Math.pow(2, attempt)); }

  function retry(fieldset, attempt) {
    unsaved[fieldset.getAttribute("data-item")] = fieldset;
    show(fieldset.getAttribute("data-item"), "unsaved", t.retry);
    setTimeout(function () { save(fieldset, attempt + 1); }, backoff(attempt));
  }

  function schedule(event) {
    var fieldset = event.target.closest("fieldset[data-item]");
    if (!fieldset) { return; }
    var itemId = fieldset.getAttribute("data-item");
    clearTimeout(timers[itemId]);
    unsaved[itemId] = fieldset;
    var delay = (event.target.type === "radio" || event.target.type === "checkbox") ? 150 : 800;
    timers[itemId] = setTimeout(function () { save(fieldset, 0); }, delay);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", function (event) { if (event.target.tagName === "TEXTAREA" || event.target.type === "text") { schedule(event); } });
  form.addEventListener("submit", function () { submitting = true; });  /* the form's own buttons save everything */
  window.addEventListener("online", function () {
    Object.keys(unsaved).forEach(function (itemId) { save(unsaved[itemId], 0); });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && (pending > 0 || Object.keys(unsaved).length)) { event.preventDefault(); event.returnValue = ""; }
  });
})();
