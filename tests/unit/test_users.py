"""The users file: salted hashes, never passwords; one bad line named."""

import pytest
from werkzeug.security import check_password_hash

from storage.users import add_user, read_users


def test_users_file_keeps_hashes_not_passwords(tmp_path):
    users_file = tmp_path / "users"
    add_user(users_file, "alice", "correct horse")
    add_user(users_file, "bob", "battery staple")
    add_user(users_file, "alice", "new password")  # replaces
    users = read_users(users_file)
    assert set(users) == {"alice", "bob"} and "new password" not in users_file.read_text()
    assert check_password_hash(users["alice"], "new password")
    assert not check_password_hash(users["alice"], "correct horse")
    assert oct(users_file.stat().st_mode)[-3:] == "600"
    with pytest.raises(ValueError, match="at least 8"):
        add_user(users_file, "carol", "short")
    with pytest.raises(ValueError, match="must not contain"):
        add_user(users_file, "a:b", "long enough")
    (tmp_path / "bad").write_text("alice\n")
    with pytest.raises(ValueError, match="line 1: expected NAME:HASH"):
        read_users(tmp_path / "bad")


@pytest.mark.parametrize("entry", ["alice:correct horse", "alice:md5$x$y", "alice:scrypt$only-one"])
def test_an_entry_that_is_not_a_hash_is_refused_without_repeating_it(tmp_path, entry):
    (tmp_path / "users").write_text(f"# users\n{entry}\n")
    with pytest.raises(ValueError, match="line 2: the entry for 'alice' is not a password hash") as bad:
        read_users(tmp_path / "users")
    assert entry.partition(":")[2] not in str(bad.value)
