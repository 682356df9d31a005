"""`reassess user` and `reassess token`."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.cli.common import CliError, session
from app.config import get_settings


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for a password: pass it on standard input with --password-stdin")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise CliError("the two passwords differ")
    return first


def cmd_user_create(args: argparse.Namespace) -> int:
    from app.auth import service as auth
    from app.auth.security import password_problem
    from app.organizations import service as orgs
    from app.organizations.models import Role

    role = Role(args.role)
    settings = get_settings()
    args.lang = args.lang or settings.default_locale
    if args.lang not in settings.locales:
        raise CliError(f"--lang {args.lang}: not one of REASSESS_LOCALES ({', '.join(settings.locales)})")
    password = None if args.no_password else _read_password(args)
    if password is not None and (problem := password_problem(password, args.email)):
        raise CliError(f"password too weak: {problem}")
    with session() as db:
        try:
            org = orgs.find_or_create_for_role(db, args.org, role, backbone_name=args.backbone)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        user = auth.get_user_by_email(db, args.email)
        if user is None:
            user = auth.create_user(db, args.email, name=args.name or "", password=password, language=args.lang)
        elif password is not None:
            auth.set_password(user, password)
        orgs.add_member(db, user, org, role)
        db.commit()
        print(f"{user.email}: {role.value} of {org.name} (organization {org.id})")
    return 0


def _existing_user(db, email: str):  # type: ignore[no-untyped-def]
    from app.auth import service as auth

    user = auth.get_user_by_email(db, email)
    if user is None:
        raise CliError(f"no user with the email {email}")
    return user


def cmd_token_create(args: argparse.Namespace) -> int:
    from app.auth import service as auth

    with session() as db:
        user = _existing_user(db, args.email)
        token = auth.create_api_token(db, user, args.name or "")
        db.commit()
    print(token)
    print("Keep this token secret; it is shown only once. Send it as: Authorization: Bearer <token>", file=sys.stderr)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from app.auth import service as auth

    with session() as db:
        user = _existing_user(db, args.email)
        for t in auth.api_tokens(db, user):
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            used = f"last used {t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
            print(f"{t.id}\t{t.name or '-'}\tcreated {t.created_at:%Y-%m-%d}\t{used}\t{state}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from app.auth import service as auth

    with session() as db:
        row = auth.revoke_api_token(db, args.id)
        if row is None:
            raise CliError(f"no API token with the id {args.id} (see `reassess token list --email ...`)")
        db.commit()
    print(f"API token {args.id} is revoked; requests with it are refused from now on.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    p = users.add_parser("create", help="create a user (or add a role to one) in an organization")
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=["backbone_admin", "backbone_analyst", "partner_lead", "respondent"])
    p.add_argument("--org", required=True, help="organization name or id; created if it does not exist")
    p.add_argument("--backbone", help="for a new partner organization: the backbone it belongs to (name or id)")
    p.add_argument("--name", default="")
    p.add_argument("--lang", help="the user's language, one of REASSESS_LOCALES (default: REASSESS_DEFAULT_LOCALE)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--no-password", action="store_true", help="a link-only respondent: no password")
    p.set_defaults(handler=cmd_user_create)

    tokens = sub.add_parser("token", help="personal API tokens").add_subparsers(dest="action", required=True)
    p = tokens.add_parser("create", help="create an API token and print it once")
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="")
    p.set_defaults(handler=cmd_token_create)
    p = tokens.add_parser("list", help="a user's API tokens (id, name, last use, state)")
    p.add_argument("--email", required=True)
    p.set_defaults(handler=cmd_token_list)
    p = tokens.add_parser("revoke", help="revoke an API token at once")
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_token_revoke)
