"""The simulated users of benchmarks/load_test.py (locust runs this file; see load_test.py for the command).

Three kinds of user, each request named "<category>: <what>" so load_test.py can group them:
  - DashboardViewer (city or district staff): the dashboard pages with their period picker and ranking variants;
  - FeedPuller (another government system with an API token): indicator-value feeds, page after page through `next`;
  - StreetOfficer: the entry grid of its street's draft monthly report, saving a few compounds' figures.
Every request is appended as one JSON line to $LOADTEST_SAMPLES; the fixture (users, tokens, codes) comes from
$LOADTEST_FIXTURE, written by load_test.py.
"""
import itertools
import json
import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

FIXTURE = json.loads(open(os.environ["LOADTEST_FIXTURE"], encoding="utf-8").read())
# Think time of the people (seconds); feed pullers, being machines, wait half as long.
THINK = tuple(float(x) for x in os.environ.get("LOADTEST_THINK", "1,3").split(","))
STALE_MESSAGE = "该月报已被他人修改"  # reporting.services.StaleVersionError: the intended refusal of a stale save
_samples = open(os.environ["LOADTEST_SAMPLES"], "a", encoding="utf-8", buffering=1)


@events.request.add_listener
def record(request_type, name, response_time, response_length, response, context, exception, start_time, **kwargs):
    category, _, what = name.partition(": ")
    outcome = "error" if exception else context.get("outcome", "ok")
    _samples.write(json.dumps({
        "t": round(start_time, 3), "category": category, "name": what or name, "method": request_type,
        "ms": round(response_time, 1), "status": getattr(response, "status_code", 0), "outcome": outcome,
        "error": str(exception)[:300] if exception else None,
    }) + "\n")


class _FormInputs(HTMLParser):
    """The inputs of the entry grid's form (a browser posts all of them), and its CSRF token and version."""

    def __init__(self):
        super().__init__()
        self.in_form, self.fields, self.checkboxes = False, {}, set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "grid-form" in (attrs.get("class") or ""):
            self.in_form = True
        elif tag == "input" and self.in_form and attrs.get("name"):
            if attrs.get("type") == "checkbox":
                self.checkboxes.add(attrs["name"])
                if "checked" in attrs:
                    self.fields[attrs["name"]] = "on"
            else:
                self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def _login(user, username: str, password: str) -> bool:
    user.client.get("/accounts/login/", name="login: form")
    token = user.client.cookies.get("csrftoken", "")
    with user.client.post("/accounts/login/", name="login: submit", allow_redirects=False, catch_response=True,
                          data={"username": username, "password": password, "csrfmiddlewaretoken": token}) as response:
        if response.status_code != 302 or "sessionid" not in user.client.cookies:
            response.failure(f"login of {username} refused ({response.status_code})")
            return False
    return True


def _get_page(user, url: str, name: str):
    # No redirects followed: a page that sends the user to the login form is a failure, not a page.
    with user.client.get(url, name=f"page: {name}", allow_redirects=False, catch_response=True) as response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code} {response.headers.get('Location', '')}".strip())
        return response


class DashboardViewer(HttpUser):
    """City staff (two of three) or district staff (every third) reading dashboards."""

    weight = 2
    wait_time = between(*THINK)
    _numbering = itertools.count()

    def on_start(self):
        number = next(self._numbering)
        districts = FIXTURE["districts"]
        if number % 3 == 2:
            self.district = districts[number // 3 % len(districts)]
            self.districts, account = [self.district], FIXTURE["district_staff"][self.district["code"]]
        else:
            self.district, self.districts, account = None, districts, FIXTURE["city_staff"]
        self.logged_in = _login(self, account, FIXTURE["password"])

    def _period(self) -> str:
        return random.choice(FIXTURE["period_params"])

    def _area(self):
        district = random.choice(self.districts)
        return district, random.choice(district["streets"]), random.choice(district["communities"])

    @task(3)
    def overview(self):
        if self.district:
            _get_page(self, f"/dashboard/district/{self.district['code']}/", "district")
        else:
            _get_page(self, "/dashboard/", "city overview")

    @task(2)
    def ranking(self):
        indicator, order = random.choice(FIXTURE["indicators"]), random.choice(["asc", "desc"])
        area = f"district/{self.district['code']}/" if self.district else ""
        _get_page(self, f"/dashboard/{area}?indicator={indicator}&order={order}", "ranking by indicator")

    @task(2)
    def period_variant(self):
        area = f"district/{self.district['code']}/" if self.district else ""
        _get_page(self, f"/dashboard/{area}?period={self._period()}", "overview, period picker")

    @task(3)
    def district_page(self):
        district = random.choice(self.districts)
        suffix = f"?period={self._period()}" if random.random() < 0.3 else ""
        _get_page(self, f"/dashboard/district/{district['code']}/{suffix}", "district")

    @task(3)
    def street_page(self):
        _, street, _ = self._area()
        suffix = f"?period={self._period()}" if random.random() < 0.3 else ""
        _get_page(self, f"/dashboard/street/{street}/{suffix}", "street")

    @task(2)
    def community_page(self):
        _, _, community = self._area()
        _get_page(self, f"/dashboard/community/{community}/", "community")

    @task(2)
    def compound_page(self):
        district = random.choice(self.districts)
        _get_page(self, f"/dashboard/compound/{random.choice(district['compounds'])}/", "compound")

    @task(2)
    def laggards(self):
        level = random.choice(["street", "community"] + ([] if self.district else ["district"]))
        suffix = f"&period={self._period()}" if random.random() < 0.3 else ""
        _get_page(self, f"/dashboard/laggards/?level={level}{suffix}", "laggards")


class FeedPuller(HttpUser):
    """Another system pulling indicator values: one page at a time through `next`."""

    weight = 1
    wait_time = between(THINK[0] / 2, THINK[1] / 2)
    _numbering = itertools.count()
    MAX_PAGES = 40  # a pull longer than this starts over with another query, so every query shape gets its turn

    def on_start(self):
        number = next(self._numbering)
        # Every third puller is a district's system with a district-scoped token; the others read city-wide.
        self.scoped = number % 3 == 2
        token = FIXTURE["district_token"] if self.scoped else FIXTURE["city_token"]
        self.client.headers["Authorization"] = f"Token {token}"
        self.next_url, self.pages = None, 0

    def _query(self) -> str:
        months = FIXTURE["months"]
        district = random.choice(FIXTURE["districts"])
        month = random.choice(months)
        indicator = random.choice(FIXTURE["indicators"])
        if self.scoped:
            choices = [f"level=community&period={month}",
                       f"level=street&period_from={months[0]}&period_to={months[-1]}"]
        else:
            choices = [
                f"level=street&period_from={months[0]}&period_to={months[-1]}",
                f"indicator={indicator}&area={district['code']}&level=street&descendants=true"
                f"&period_from={months[0]}&period_to={months[-1]}",
                f"area={random.choice(district['streets'])}&level=community&descendants=true&period={month}",
                f"level=district&period={month}",
                f"updated_since={FIXTURE['started_at']}",
            ]
        page_size = random.choice([100, 500, 500])
        return f"/api/v1/indicator-values/?{random.choice(choices)}&page_size={page_size}&format=json"

    @task
    def pull_page(self):
        first = self.next_url is None
        url = self._query() if first else self.next_url
        name = "feed: indicator values, first page" if first else "feed: indicator values, next page"
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                self.next_url = None
                return
            try:
                self.next_url = response.json()["next"]
            except (ValueError, KeyError) as exc:
                response.failure(f"not a feed page: {exc}")
                self.next_url = None
                return
        self.pages = 0 if first else self.pages + 1
        if self.pages >= self.MAX_PAGES:
            self.next_url = None


class StreetOfficer(HttpUser):
    """A street officer on its own street's draft report: opens grid pages and saves a few compounds' figures."""

    weight = 1
    wait_time = between(*THINK)
    _numbering = itertools.count()

    def on_start(self):
        officer = FIXTURE["officers"][next(self._numbering) % len(FIXTURE["officers"])]
        self.street, self.period, self.grid_pages = officer["street"], officer["period"], officer["grid_pages"]
        self.grid_url = f"/reports/{self.street}/{self.period}/grid/"
        self.form = None
        self.logged_in = _login(self, officer["username"], FIXTURE["password"])

    def _open_grid(self, page: int):
        response = _get_page(self, f"{self.grid_url}?page={page}", "report grid")
        if response.status_code == 200:
            parser = _FormInputs()
            parser.feed(response.text)
            self.form = (page, parser) if "version" in parser.fields else None

    @task(2)
    def open_grid(self):
        self._open_grid(random.randint(1, self.grid_pages))

    @task(3)
    def save(self):
        if self.form is None:
            self._open_grid(random.randint(1, self.grid_pages))
            return
        page, parser = self.form
        self.form = None
        data = dict(parser.fields)
        codes = sorted({name.split("__")[0] for name in data if "__" in name})
        for code in random.sample(codes, min(len(codes), random.randint(1, 3))):
            received = random.randint(0, 20)
            resolved = random.randint(0, received)
            data.update({
                f"{code}__weekly_meetings": str(random.randint(0, 4)),
                f"{code}__monthly_meetings": str(random.randint(0, 1)),
                f"{code}__petitions": str(random.randint(0, 3)),
                f"{code}__hotline_received": str(received),
                f"{code}__hotline_resolved": str(resolved),
                f"{code}__hotline_satisfied": str(random.randint(0, resolved)),
                f"{code}__disputes_mediated": str(random.randint(0, 3)),
            })
        with self.client.post(f"{self.grid_url}?page={page}", data=data, name="save: monthly grid",
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code == 302:
                redirected_to = response.headers.get("Location", "")
            elif response.status_code == 200 and STALE_MESSAGE in response.text:
                response.request_meta["context"]["outcome"] = "stale"
                redirected_to = None
            else:
                errors = re.findall(r'class="cell-error"[^>]*>([^<]+)', response.text)[:3]
                response.failure(f"HTTP {response.status_code} {' / '.join(errors)}".strip())
                redirected_to = None
        if redirected_to:
            # The browser follows the redirect back to the grid page it saved.
            self._open_grid(page)

    @task(1)
    def report_page(self):
        _get_page(self, f"/reports/{self.street}/{self.period}/", "monthly report")

    @task(1)
    def own_street_dashboard(self):
        _get_page(self, f"/dashboard/street/{self.street}/", "street")
