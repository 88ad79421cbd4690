"""Helpers of the Chromium tests: the password the factories give every user, and signing in with it."""
PASSWORD = "测试密码-Quanzhou-2024"


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
