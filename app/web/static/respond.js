/* Autosave: each answer is saved on its own, shortly after it changes, with a visible state and retries.
   The page works without this script: its buttons save the page's changed answers. */
(function () {
  "use strict";
  var form = document.querySelector("form.question-form");
  if (!form || !window.fetch) { return; }
  var responseId = form.getAttribute("data-response");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var status = document.getElementById("save-status");
  var t = {  /* translated by the server: data-t-* attributes of the form */
    saving: form.getAttribute("data-t-saving"), saved: form.getAttribute("data-t-saved"),
    retry: form.getAttribute("data-t-retry"), failed: form.getAttribute("data-t-failed")
  };
  var timers = {};
  var pending = 0;

  function stateFor(itemId) { return form.querySelector('[data-state-for="' + itemId + '"]'); }

  function show(itemId, kind, message) {
    var el = stateFor(itemId);
    if (el) { el.className = "item-state " + kind; el.textContent = message; }
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
  }

  function save(fieldset, attempt) {
    var body = collect(fieldset);
    if (body.value === undefined && body.text === undefined && !body.choices.length && body.comment === undefined) { return; }
    pending += 1;
    show(body.item_id, "saving", t.saving);
    fetch("/respond/" + responseId + "/answer", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { res: res, data: data }; });
    }).then(function (r) {
      pending -= 1;
      if (r.res.ok) { markSaved(fieldset, body); show(body.item_id, "saved", r.data.message || t.saved); return; }
      if (r.res.status >= 500 && attempt < 5) { return retry(fieldset, attempt); }
      fieldset.setAttribute("aria-invalid", "true");
      show(body.item_id, "error", r.data.error || t.failed);
    }).catch(function () {
      pending -= 1;
      if (attempt < 5) { return retry(fieldset, attempt); }
      show(body.item_id, "error", t.failed);
    });
  }

  function retry(fieldset, attempt) {
    show(fieldset.getAttribute("data-item"), "error", t.retry);
    setTimeout(function () { save(fieldset, attempt + 1); }, Math.min(8000, 500 * Math.pow(2, attempt)));
  }

  function schedule(event) {
    var fieldset = event.target.closest("fieldset[data-item]");
    if (!fieldset) { return; }
    var itemId = fieldset.getAttribute("data-item");
    clearTimeout(timers[itemId]);
    var delay = (event.target.type === "radio" || event.target.type === "checkbox") ? 150 : 800;
    timers[itemId] = setTimeout(function () { save(fieldset, 0); }, delay);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", function (event) { if (event.target.tagName === "TEXTAREA" || event.target.type === "text") { schedule(event); } });
  window.addEventListener("beforeunload", function (event) { if (pending > 0) { event.preventDefault(); event.returnValue = ""; } });
})();
