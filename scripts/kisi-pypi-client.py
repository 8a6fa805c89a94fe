#!/usr/bin/env python3
"""Runs the real PyPI `kisi` client (kisi==1.4, installed into .tools/venv by
scripts/install-deps.sh) against a running Postern, with only its base URL
changed: every request it would send to https://api.kisi.io goes to
<base>/api instead. server/tests/kisi_pypi_client.rs starts the server and
runs this script; by hand:

    .tools/venv/bin/python3 scripts/kisi-pypi-client.py BASE_URL API_KEY PLACE_ID WIRED_LOCK_ID

It drives the client's own methods in the order an integration would (sign
in, groups, users, locks, unlock, lockdown, clean up) and checks each
answer, reading back through the client what a method returns nothing for
(the client calls `.json()` on every answer, so Kisi's 204s come back as
`None`). It prints one line per check and ends with "N passed, M failed";
the exit status is 1 when any check failed.
"""

import sys

import requests

KISI = "https://api.kisi.io"

base, key, place_id, wired_lock = sys.argv[1].rstrip("/") + "/api", sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

# Only the base URL changes: the client builds every URL from KISI.
_request = requests.sessions.Session.request


def _rebased(self, method, url, *args, **kwargs):
    if isinstance(url, str) and url.startswith(KISI):
        url = base + url[len(KISI):]
    return _request(self, method, url, *args, **kwargs)


requests.sessions.Session.request = _rebased

import kisi  # noqa: E402  (after the base URL is changed)

passed, failed = 0, 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what} {detail}")


ks = kisi.Connect(key)  # GET /organizations, or it raises
check("Connect signs in (GET /organizations)", True)

# Groups: create_group sends place_id, login_enabled and the restriction flags.
group = ks.group.create_group("PyPI staff", description="Made by the kisi client", place_id=place_id, login_enabled=True)
check("create_group answers the group", isinstance(group, dict) and group.get("name") == "PyPI staff", group)
check("create_group's place_id is the group's place", isinstance(group, dict) and group.get("place_id") == place_id, group)
refused = ks.group.create_group("PyPI cards only")  # its default login_enabled=False asks for something Postern lacks
check("create_group with login_enabled=False is refused", refused is None, refused)
group_id = group["id"] if isinstance(group, dict) else 0
ks.group.update_group(group_id, description="Renamed by the kisi client")
fetched = ks.group.fetch_group(group_id)
check("update_group changes the group", isinstance(fetched, dict) and fetched.get("description") == "Renamed by the kisi client", fetched)
groups = ks.group.fetch_groups(query="PyPI")
check("fetch_groups finds it", isinstance(groups, list) and [g["id"] for g in groups] == [group_id], groups)

# Users: create_user sends send_emails, confirm, access_enabled, metadata, notes.
user = ks.user.create_user(
    "Pia Python", "pia@example.com", send_emails=False, confirm=True, access_enabled=True,
    password_flow_enabled=False, metadata={"crm_id": "7"}, notes="From PyPI",
)
check("create_user answers the person", isinstance(user, dict) and user.get("email") == "pia@example.com", user)
check("create_user stores metadata and notes",
      isinstance(user, dict) and user.get("metadata") == {"crm_id": "7"} and user.get("notes") == "From PyPI", user)
user_id = user["id"] if isinstance(user, dict) else 0
ks.user.update_user(user_id, access_enabled=False, notes="Away")
fetched = ks.user.fetch_user(user_id)
check("update_user switches access off and changes notes",
      isinstance(fetched, dict) and fetched.get("access_enabled") is False and fetched.get("notes") == "Away", fetched)
users = ks.user.fetch_users(query="pia@")
check("fetch_users finds the person", isinstance(users, list) and [u["id"] for u in users] == [user_id], users)

# Locks: create, read, change, unlock, lock down.
lock = ks.lock.create_lock("PyPI door", place_id, description="Made by the kisi client")
check("create_lock answers the lock", isinstance(lock, dict) and lock.get("place_id") == place_id, lock)
lock_id = lock["id"] if isinstance(lock, dict) else 0
ks.lock.update_lock(lock_id, description="Changed by the kisi client")
fetched = ks.lock.fetch_lock(lock_id)
check("update_lock changes the lock", isinstance(fetched, dict) and fetched.get("description") == "Changed by the kisi client", fetched)
locks = ks.lock.fetch_locks(place_id=place_id)
check("fetch_locks lists the place's locks", isinstance(locks, list) and {lock_id, wired_lock} <= {l["id"] for l in locks}, locks)
wired = ks.lock.fetch_lock(wired_lock)
place = wired["place"] if isinstance(wired, dict) else {"latitude": 0, "longitude": 0}
unlocked = ks.lock.unlock_lock(wired_lock, place["latitude"], place["longitude"])
check("unlock_lock unlocks (200, Unlocked!)", isinstance(unlocked, dict) and unlocked.get("message") == "Unlocked!", unlocked)
ks.lock.lock_down_lock(wired_lock)
check("lock_down_lock locks it down", ks.lock.fetch_lock(wired_lock).get("locked_down") is True)
ks.lock.cancel_lockdown(wired_lock)
check("cancel_lockdown ends it", ks.lock.fetch_lock(wired_lock).get("locked_down") is False)

# Cleaning up through the client.
ks.lock.delete_lock(lock_id)
check("delete_lock deletes the lock", ks.lock.fetch_lock(lock_id) is None)
ks.user.delete_user(user_id)
check("delete_user deletes the person", ks.user.fetch_user(user_id) is None)
ks.group.delete_group(group_id)
check("delete_group deletes the group", ks.group.fetch_group(group_id) is None)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
