"""One user per role and area for trying the portal: passwords derive from the seed."""
import random
import string
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from districts.models import District, Street

from .areas import CAMPAIGN_STREETS
from .bulk import insert

# The streets named in the campaign: each gets its own officer.
NAMED_STREETS = list(CAMPAIGN_STREETS)


@dataclass
class Credential:
    username: str
    role: str
    area: str
    password: str | None  # None when the user already existed and was left untouched


def _password(rng: random.Random, user: User) -> str:
    """Readable but strong, and checked against the project's password validators."""
    while True:
        password = "-".join((
            "".join(rng.choices(string.ascii_letters, k=5)),
            "".join(rng.choices(string.digits, k=4)),
            "".join(rng.choices(string.ascii_lowercase + string.digits, k=5)),
        ))
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


DEMO_EMAIL_DOMAIN = "quanzhou-pm.test"


def _planned_users() -> list[User]:
    users = [
        User(username="admin", role=Role.CITY_STAFF, is_staff=True, is_superuser=True, first_name="系统管理员"),
        User(username="city_admin", role=Role.CITY_STAFF, first_name="市住建局"),
    ]
    users += [User(username=f"district_{d.code.lower()}", role=Role.DISTRICT_STAFF, district=d, first_name=f"{d.name}住建局")
              for d in District.objects.order_by("code")]
    users += [User(username=f"street_{s.code.lower()}", role=Role.STREET_OFFICER, street=s, district=s.district,
                   first_name=f"{s.name}工作人员")
              for s in Street.objects.filter(code__in=NAMED_STREETS).select_related("district").order_by("code")]
    users += [
        User(username="judge", role=Role.JUDGE, first_name="评审专家", organisation="物业管理提升行动评审组"),
        User(username="api_client", role=Role.API_CLIENT, first_name="市大数据平台"),
    ]
    for user in users:
        # A reserved domain: the demo's console backend prints notices and password resets sent to it.
        user.email = f"{user.username}@{DEMO_EMAIL_DOMAIN}"
    return users


def create_users(rng: random.Random) -> tuple[list[Credential], dict[str, User]]:
    """Create the users that do not exist yet; returns credentials and all planned users by username."""
    planned = _planned_users()
    existing = User.objects.in_bulk([u.username for u in planned], field_name="username")
    credentials, new = [], []
    for user in planned:
        area = (user.street or user.district or "泉州市") if user.role != Role.JUDGE else "—"
        password = _password(rng, user)  # drawn for every user so the sequence never depends on the database
        if user.username in existing:
            credentials.append(Credential(user.username, user.get_role_display(), str(area), None))
            continue
        new.append((user, password))
        credentials.append(Credential(user.username, user.get_role_display(), str(area), password))
    # Hashing is deliberately slow; hashlib releases the GIL, so threads use every core.
    with ThreadPoolExecutor() as pool:
        list(pool.map(lambda pair: pair[0].set_password(pair[1]), new))
    new = list(insert(User, (user for user, _ in new)))
    users = {**existing, **{u.username: u for u in new}}
    return credentials, users
