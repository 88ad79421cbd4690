"""The API takes the parameters its schema documents, as the schema documents them, and answers anything
else with a Chinese JSON 400 (406 for a format) that names the parameter."""
import pytest
from django.core.management import call_command

from tests.api_clients import results, token_client
from tests.factories import CompoundFactory, city_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def client():
    CompoundFactory()
    return token_client(city_staff())


def refused(response, field: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field, body
    return body["message"]


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker, tmp_path_factory):
    import yaml

    target = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(target))
    return yaml.safe_load(target.read_text(encoding="utf-8"))


def parameter(schema, path: str, name: str) -> dict:
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


@pytest.mark.parametrize("value", ["", "xml", "api"])
def test_a_format_the_schema_does_not_list_is_a_json_406_naming_the_formats(client, value):
    response = client.get("/api/v1/compounds/", {"format": value})
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    assert "json、csv" in response.json()["message"]


def test_the_documented_formats_are_answered(client):
    assert client.get("/api/v1/compounds/", {"format": "json"}).status_code == 200
    assert client.get("/api/v1/compounds/", {"format": "csv"})["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("value", ["0", "1001", "1.5", "abc", "-3", "", "٣"])
def test_a_page_size_outside_1_to_1000_is_refused_instead_of_quietly_replaced(client, value):
    assert "1 到 1000" in refused(client.get("/api/v1/compounds/", {"page_size": value}), "page_size")


def test_a_page_size_is_checked_for_csv_too(client):
    refused(client.get("/api/v1/compounds/", {"page_size": "many", "format": "csv"}), "page_size")


def test_page_sizes_at_the_bounds_are_taken(client):
    assert len(results(client.get("/api/v1/compounds/", {"page_size": "1"}))) == 1
    assert client.get("/api/v1/compounds/", {"page_size": "1000"}).status_code == 200


@pytest.mark.parametrize("name", ["updated_since", "as_of", "counted", "management_mode", "housing_type"])
def test_an_empty_typed_filter_is_refused_not_ignored(client, name):
    assert "不能为空" in refused(client.get("/api/v1/compounds/", {name: ""}), name)


def test_an_empty_text_filter_is_text(client):
    assert len(results(client.get("/api/v1/compounds/", {"area": "", "name": ""}))) == 1


def test_a_single_valued_filter_given_twice_is_refused(client):
    response = client.get("/api/v1/monthly-records/?period=2024-05&period=2024-06")
    assert "只能给出一次" in refused(response, "period")


def test_a_repeatable_filter_may_repeat(client):
    assert client.get("/api/v1/compounds/?housing_type=commodity&housing_type=resettlement").status_code == 200


@pytest.mark.parametrize("value", ["AAA", "1", "True", "yes"])
def test_a_boolean_filter_takes_true_or_false_only(client, value):
    assert "true 或 false" in refused(client.get("/api/v1/compounds/", {"counted": value}), "counted")


def test_a_nul_character_in_a_text_filter_is_refused_in_chinese(client):
    assert "空字符" in refused(client.get("/api/v1/compounds/", {"area": "35\x0005"}), "area")


@pytest.mark.parametrize("value", ["2024-5", "2024-05-01", "٢٠٢٤-٠٥", "2024-13", "1899-12", "2024-05x", " ", "\x1c"])
def test_a_period_filter_takes_the_documented_month_pattern_only(client, value):
    refused(client.get("/api/v1/monthly-records/", {"period": value}), "period")


def test_a_period_filter_takes_a_month(client):
    assert client.get("/api/v1/monthly-records/", {"period": "2024-05"}).status_code == 200


@pytest.mark.parametrize("value", ["2024-05-01", "2024-05-01T08:00:00", "2024-05-01 08:00:00+08:00",
                                   "２０２４-05-01T08:00:00Z", "2024-05-01T08:00:00+24:00"])
def test_updated_since_takes_an_rfc_3339_time_with_its_offset_only(client, value):
    assert "RFC 3339" in refused(client.get("/api/v1/compounds/", {"updated_since": value}), "updated_since")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+23:59", "1800-01-01T00:00:00Z", "0300-08-05T07:54:42+17:02"])
def test_an_early_updated_since_selects_every_row(client, value):
    assert len(results(client.get("/api/v1/compounds/", {"updated_since": value}))) == 1


def test_a_late_updated_since_selects_none(client):
    assert results(client.get("/api/v1/compounds/", {"updated_since": "9999-12-31T23:59:59-23:59"})) == []


@pytest.mark.parametrize("value", ["2024-5-1", "2024/05/01", "20240501", "2024-02-30"])
def test_as_of_takes_a_yyyy_mm_dd_day_only(client, value):
    assert "YYYY-MM-DD" in refused(client.get("/api/v1/compounds/", {"as_of": value}), "as_of")


@pytest.mark.parametrize("value", ["1899", "3000", "2024.5", "二〇二四"])
def test_a_selection_year_outside_its_documented_range_is_refused(client, value):
    refused(client.get("/api/v1/selection-rounds/", {"year": value}), "year")


def test_the_schema_publishes_what_the_parameters_take(schema):
    period = parameter(schema, "/api/v1/monthly-records/", "period")["schema"]
    assert "format" not in period and period["pattern"].startswith("^((?:19|2[0-9])")
    assert parameter(schema, "/api/v1/compounds/", "page_size")["schema"] == {
        "type": "integer", "minimum": 1, "maximum": 1000}
    assert parameter(schema, "/api/v1/compounds/", "updated_since")["schema"]["format"] == "date-time"
    assert parameter(schema, "/api/v1/compounds/", "area")["schema"]["pattern"] == "^[^\\u0000]*$"
    assert parameter(schema, "/api/v1/compounds/", "format")["schema"]["enum"] == ["csv", "json"]
    year = parameter(schema, "/api/v1/selection-rounds/", "year")["schema"]
    assert (year["minimum"], year["maximum"]) == (1900, 2999)


def test_the_schema_keeps_the_required_fields_of_patch_bodies(schema):
    body = schema["paths"]["/api/v1/monthly-reports/{id}/"]["patch"]["requestBody"]
    assert body["required"] is True and list(body["content"]) == ["application/json"]
    component = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][component]["required"] == ["records"]
    version = schema["components"]["schemas"][component]["properties"]["version"]
    assert (version["minimum"], version["maximum"]) == (0, 2147483647)


def test_every_request_body_is_documented_as_json_only(schema):
    bodies = {f"{method.upper()} {path}": list(operation["requestBody"]["content"])
              for path, operations in schema["paths"].items() for method, operation in operations.items()
              if "requestBody" in operation}
    assert bodies and all(types == ["application/json"] for types in bodies.values()), bodies


def test_csv_answers_are_documented_as_text_not_as_the_json_page(schema):
    csv = schema["paths"]["/api/v1/compounds/"]["get"]["responses"]["200"]["content"]["text/csv"]
    assert csv["schema"]["type"] == "string"


def test_the_schema_publishes_the_bounds_of_each_kind_of_figure(schema):
    row = schema["components"]["schemas"]["MonthlyRowRequest"]["properties"]
    assert (row["petitions"]["minimum"], row["petitions"]["maximum"]) == (0, 2147483647)
    assert (row["fees_due"]["minimum"], row["fees_due"]["maximum"]) == (0, 999999999999.99)
    assert (row["evaluation_score"]["minimum"], row["evaluation_score"]["maximum"]) == (0, 100)
    assert row["public_revenue_disclosed"]["type"] == "boolean"


def test_the_schema_says_an_overlong_request_line_is_refused_by_the_server_in_html(schema):
    response = schema["paths"]["/api/v1/firms/"]["get"]["responses"]["414"]
    assert list(response["content"]) == ["text/html"] and "8190" in response["description"]
