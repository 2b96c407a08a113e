#!/usr/bin/env python3
"""The console in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven by
Selenium, against a real `gx hub serve` loaded as scripts/quickstart.sh loads it.

The authority signs in, opens the quickstart's demand and suspends an agreement with a reason; the auditor finds that act in the log,
verifies the chain, downloads the filtered CSV and opens the compliance calendar and the statistics; an agency
sees only its own agreements; another opens its demands, its objection, raises one from the form and opens its verification's counts; the authority
resumes the agreement with the keyboard alone. Every page visited is saved as a screenshot in --out, and
every page is checked for content wider than the window.

usage: console_test.py --gx PATH/TO/gx [--out DIR]"""
import argparse
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
INSTALL = ("install them with scripts/setup.sh (Debian: apt-get install chromium chromium-driver fonts-wqy-zenhei; "
           "PyPI: pip install selenium)")


def fail(message):
    print(f"console browser test FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def require_browser():
    missing = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not os.path.exists(p)]
    if missing:
        fail(f"Chromium is missing ({', '.join(missing)}): {INSTALL}")
    try:
        import selenium  # noqa: F401
    except ImportError:
        fail(f"the Python package selenium is missing: {INSTALL}")


class Console:
    def __init__(self, base, out, downloads):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900", "--lang=zh-CN"):
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                                  "download.prompt_for_download": False,
                                                  "intl.accept_languages": "zh-CN,zh"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        self.base, self.out, self.downloads, self.shots = base, out, downloads, 0

    def close(self):
        self.driver.quit()

    def open(self, path):
        self.driver.get(self.base + path)

    def find(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def link(self, text):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.LINK_TEXT, text)

    @property
    def text(self):
        return self.find("body").text

    def expect(self, condition, message):
        """`condition` may be a function: it is then retried for up to 10 s while a submitted form loads."""
        if callable(condition):
            deadline = time.time() + 10
            while True:
                try:
                    if condition():
                        return
                except Exception:
                    pass
                if time.time() > deadline:
                    break
                time.sleep(0.1)
            condition = False
        if not condition:
            self.screenshot("failure")
            fail(f"{message} (at {self.driver.current_url})")

    def screenshot(self, name):
        """The whole page, and a check that nothing is wider than the window."""
        d = self.driver
        overflow = d.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        height = min(max(900, d.execute_script("return document.documentElement.scrollHeight")), 6000)
        d.set_window_size(1366, height)
        self.shots += 1
        path = self.out / f"{self.shots:02d}-{name}.png"
        d.save_screenshot(str(path))
        d.set_window_size(1366, 900)
        if overflow > 0 and name != "failure":
            fail(f"page {name} is {overflow}px wider than the window (see {path})")
        if re.search(r"\bnil\b|\{\{", self.text) and name != "failure":
            fail(f"page {name} shows a missing value ('nil' or a template tag; see {path})")
        print(f"  screenshot {path.name}: {d.title}")

    def sign_in(self, token_file, name):
        from selenium.webdriver.common.keys import Keys
        self.open("/console/")
        self.expect("登录控制台" in self.text, "the sign-in page is not shown")
        self.screenshot(f"{name}-sign-in")
        field = self.find("#token")
        field.send_keys(pathlib.Path(token_file).read_text().strip())
        field.send_keys(Keys.ENTER)
        self.expect(lambda: "退出" in self.text, f"{name} could not sign in")

    def sign_out(self):
        self.find("form.signout button").click()
        self.expect(lambda: "您已退出" in self.text, "signing out did not say so")


def start_hub(gx, state):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(state / "hub" / "console-hub.log", "w")
    hub = subprocess.Popen([gx, "hub", "serve", "--db", str(state / "hub" / "hub.sqlite"), "--listen", f"127.0.0.1:{port}"],
                           stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return hub, base
        except OSError:
            if hub.poll() is not None:
                fail(f"gx hub serve exited; see {state}/hub/console-hub.log")
            time.sleep(0.1)
    fail("gx hub serve did not answer /healthz")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gx", required=True)
    parser.add_argument("--out", default=str(ROOT / ".build" / "console-screenshots"))
    args = parser.parse_args()
    require_browser()
    out = pathlib.Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="gx-console-browser-"))
    state, downloads = work / "state", work / "downloads"
    downloads.mkdir()
    print(f"console browser test: loading a hub as the quickstart does (state in {state})")
    env = dict(os.environ, GX_BIN=args.gx, GX_STATE=str(state), GX_ROWS=os.environ.get("GX_ROWS", "600"))
    env.pop("GX_KEEP_SERVING", None)
    loaded = subprocess.run(["bash", str(ROOT / "scripts" / "quickstart.sh")], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    if loaded.returncode != 0:
        fail(f"the quickstart failed:\n{loaded.stderr[-3000:]}")
    hub, base = start_hub(args.gx, state)
    browser = None
    try:
        browser = Console(base, out, downloads)
        run(browser, state)
    finally:
        if browser:
            browser.close()
        hub.terminate()
        hub.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(f"console browser test: 5 passed, 0 failed; {browser.shots} screenshots in {out}")


def run(b, state):
    from selenium.webdriver.common.keys import Keys
    agreement, reason = "BJ-GX-2026-001", "提供方数据质量核查，暂停三天"

    print("authority: sign in, look around, suspend an agreement with a reason")
    b.sign_in(state / "hub" / "admin.token", "authority")
    b.expect("概览" in b.text and "昨夜交换" in b.text, "the overview is not shown after signing in")
    b.screenshot("authority-overview")
    b.find("header nav").find_element("link text", "共享需求").click()
    b.expect("XQ-" in b.text and "部分同意" in b.text, "the quickstart's demand is not listed")
    b.screenshot("authority-demands")
    b.finds("table.demands tbody tr a")[0].click()
    b.expect("gx demand terms" in b.text and "住址" in b.text, "the demand page lacks its refused item or its agreement's command")
    b.screenshot("authority-demand")
    for label, name in (("机构", "agencies"), ("资源目录", "catalogue"), ("共享协议", "agreements")):
        b.find("header nav").find_element("link text", label).click()
        b.screenshot(f"authority-{name}")
    b.link(agreement).click()
    b.expect("验证通过" in b.text and "openssl dgst -sm3 -verify" in b.text, "the agreement's signatures are not shown verifying")
    b.screenshot("authority-agreement")
    b.link("查看交换统计与每日记录图表 →").click()
    b.expect(len(b.finds("svg.chart rect")) > 2, "the exchange page has no chart")
    b.screenshot("authority-exchange")
    b.driver.back()
    b.link("暂停").click()
    b.screenshot("authority-suspend-form")
    b.find("#reason").send_keys(reason)
    b.find("#confirm").click()
    b.find("form.act button[type=submit]").click()
    b.expect(lambda: "已暂停：数据停止流动" in b.text and reason in b.text, "the suspension did not show the new state and reason")
    b.expect(b.find("h1 .state").text == "已暂停", "the state label did not change to 已暂停")
    b.screenshot("authority-suspended")
    b.sign_out()

    print("auditor: find the act, verify the chain, download the filtered CSV")
    b.sign_in(state / "hub" / "auditor.token", "auditor")
    b.find("header nav").find_element("link text", "审计日志").click()
    b.find("input[name=action]").send_keys("agreement.suspended")
    b.find("input[name=agreement]").send_keys(agreement)
    b.find("form.filters button").click()
    b.expect(lambda: "agreement.suspended" in b.driver.current_url, "the search was not submitted")
    rows = b.finds("table.audit tbody tr")
    b.expect(len(rows) == 1 and reason in rows[0].text and "admin:authority" in rows[0].text, "the suspension is not the one entry found")
    b.expect(len(rows[0].find_elements("css selector", "code.hash")) == 2, "the entry does not show its hash and predecessor")
    b.screenshot("auditor-audit-search")
    b.link("校验整条哈希链").click()
    # The auditor's sign-in is the newest entry; the hub signs a checkpoint over it within about 5 s, and
    # until then the page says the tail is not yet covered.
    for _ in range(4):
        if "校验通过" in b.find("#verify-result").text:
            break
        b.expect("尚未被平台签名覆盖" in b.find("#verify-result").text, "the chain does not verify")
        time.sleep(6)
        b.driver.refresh()
    b.expect("校验通过" in b.find("#verify-result").text, "the chain does not verify once a checkpoint covers it")
    b.screenshot("auditor-verify")
    b.driver.back()
    b.link("导出检索结果（CSV）").click()
    csv = None
    for _ in range(100):
        done = [p for p in b.downloads.glob("*.csv")]
        if done:
            csv = done[0].read_text(encoding="utf-8-sig")
            break
        time.sleep(0.1)
    b.expect(csv is not None, "the CSV was not downloaded")
    lines = [line for line in csv.splitlines() if line]
    b.expect(lines[0].startswith("# selection") and "action=agreement.suspended" in lines[0], f"the CSV does not say it is a selection: {lines}")
    b.expect(lines[1].startswith("seq,time,actor,action") and len(lines) == 3 and "agreement.suspended" in lines[2] and reason in lines[2],
             f"the CSV does not hold exactly the filtered entry: {lines}")
    b.open("/console/compliance")
    b.expect(agreement in b.text and len(b.finds("svg.calendar rect")) > 0, "the compliance page has no calendar for the agreement")
    b.screenshot("auditor-compliance")
    b.open("/console/statistics")
    b.expect(len(b.finds("svg.chart")) >= 4 and len(b.finds("svg.chart rect.bar.rule")) > 0,
             "the statistics page lacks its charts or the quarantine by rule the quickstart's invalid rows cause")
    b.screenshot("auditor-statistics")
    b.sign_out()

    print("agency: sees only its own agreements")
    consumer = "11110000000021020F"  # party to BJ-GX-2026-001 and -002 only
    b.sign_in(state / "agencies" / f"{consumer}.token", "agency")
    b.screenshot("agency-home")
    b.find("header nav").find_element("link text", "共享协议").click()
    listed = {row.text.split()[0] for row in b.finds("table tbody tr")}
    b.expect(listed == {"BJ-GX-2026-001", "BJ-GX-2026-002"}, f"the agency sees {sorted(listed)}")
    b.screenshot("agency-agreements")
    b.open("/console/agreements/BJ-GX-2026-004")
    b.expect("无权" in b.text, "another pair's agreement was not refused")
    b.screenshot("agency-refused")
    b.open("/console/overview")
    b.expect("无权" in b.text, "an admin page was not refused to the agency")
    b.link("返回首页").click()
    b.sign_out()

    print("another agency: its demand, its objection, raising another from the form, its verification's counts")
    security = "11110000000021063W"  # asked for the quickstart's demand, raised its objection, runs its verification
    b.sign_in(state / "agencies" / f"{security}.token", "security")
    b.open("/console/demands")
    b.expect("XQ-" in b.text and "部分同意" in b.text, "the agency does not see the demand it submitted")
    b.screenshot("security-demands")
    b.open("/console/objections")
    b.expect("姓名与社保档案不符" in b.text and "BJ-GX-2026-004" in b.text, "the agency does not see the objection it raised")
    b.screenshot("security-objections")
    b.open("/console/objections/raise?agreement=BJ-GX-2026-004")
    b.find("#key_0").send_keys("110101198001010011")
    next(label for label in b.finds("form.act label.confirm") if label.text.strip() == "姓名").find_element("css selector", "input").click()
    b.find("#problem").send_keys("姓名与社保档案不符（浏览器测试）")
    b.find("#confirm").click()
    b.screenshot("security-objection-raise")
    b.find("form.act button[type=submit]").click()
    b.expect(lambda: "已提出数据异议 YY-" in b.text and "浏览器测试" in b.text, "raising an objection from the form did not list it")
    b.open("/console/agreements/BJ-GX-2026-005/exchange")
    b.expect("比对核实" in b.text and len(b.finds("svg.chart rect.bar.mismatch")) > 0, "the verification page shows no mismatches per item")
    numbers = {card.find_element("css selector", "span:last-child").text: card.find_element("css selector", ".number").text
               for card in b.finds(".card")}
    b.expect(numbers.get("查到") == "200" and numbers.get("未查到") == "5",
             f"the verification's counts are not the quickstart's 200 card holders found, 5 not found: {numbers}")
    b.expect(any("姓名 20" in t.get_attribute("textContent") for t in b.finds("svg.chart rect.bar.mismatch title")),
             "the chart does not show the quickstart's 20 names planted wrong")
    b.screenshot("security-verification")
    b.sign_out()

    print("keyboard alone: the authority resumes the agreement")
    active = lambda: b.driver.switch_to.active_element

    def tab_to(predicate, what, limit=80):
        for _ in range(limit):
            active().send_keys(Keys.TAB)
            if predicate(active()):
                return
        b.expect(False, f"Tab never reached {what}")

    b.open("/console/")
    # Chromium applies `autofocus` at its next rendering opportunity, after the load that `get` waits for:
    # typing before then would go to the page's body.
    b.expect(lambda: active().get_attribute("id") == "token", "the sign-in page does not put the cursor in the token field")
    active().send_keys((state / "hub" / "admin.token").read_text().strip() + Keys.ENTER)
    b.expect(lambda: "概览" in b.text, "signing in with the keyboard failed")
    tab_to(lambda e: e.text == "共享协议" and e.tag_name == "a", "the agreements link")
    active().send_keys(Keys.ENTER)
    b.expect(lambda: "共享协议" in b.driver.title, "the agreements page did not open")
    tab_to(lambda e: e.text == agreement, f"the link to {agreement}")
    active().send_keys(Keys.ENTER)
    b.expect(lambda: agreement in b.driver.title, "the agreement did not open")
    tab_to(lambda e: e.text == "恢复", "the resume button")
    active().send_keys(Keys.ENTER)
    b.expect(lambda: "恢复" in b.driver.title, "the resume form did not open")
    tab_to(lambda e: e.get_attribute("id") == "reason", "the reason field")
    active().send_keys("核查完毕，恢复")
    tab_to(lambda e: e.get_attribute("id") == "confirm", "the confirmation box")
    active().send_keys(Keys.SPACE)
    tab_to(lambda e: e.tag_name == "button" and e.get_attribute("type") == "submit", "the submit button")
    b.screenshot("keyboard-resume-form")
    active().send_keys(Keys.ENTER)
    b.expect(lambda: "已恢复" in b.text and b.find("h1 .state").text == "生效", "resuming with the keyboard did not make the agreement active")
    b.screenshot("keyboard-resumed")


if __name__ == "__main__":
    main()
