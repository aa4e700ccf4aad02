"""The roster import in the app, as township staff use it: template, upload with progress, the dry
run with its errors, a corrected file, apply, the one-time passwords and their printable sheet."""

import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from server.people import idnumber
from tests.pwa.conftest import fetched, login, shot, wait_sw

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["姓名", "性别", "身份证号", "村", "住址", "自理能力", "供养方式", "照料人", "照料人电话", "关系", "签订日期"]

SMALL_SCREEN = """() => {
    const small = [];
    for (const el of document.querySelectorAll('button, a.button, a.card, a.badge, input[type=text], select, label.button, summary')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.height && (r.height < 48 || r.width < 48)) small.push(el.outerHTML.slice(0, 80));
    }
    const fonts = [...document.querySelectorAll('main p, main li, main span, main label, main button, main summary, main code, main strong')]
        .map(e => parseFloat(getComputedStyle(e).fontSize)).filter(Boolean);
    return {small, minFont: Math.min(...fonts), scrollWidth: document.documentElement.scrollWidth};
}"""

PROGRESS_SPY = """
window.__uploadProgress = [];
const own = Object.getOwnPropertyDescriptor(XMLHttpRequestEventTarget.prototype, 'onprogress');
Object.defineProperty(XMLHttpRequestUpload.prototype, 'onprogress', {
  configurable: true,
  get() { return own.get.call(this); },
  set(fn) { own.set.call(this, (e) => { window.__uploadProgress.push([e.lengthComputable, e.loaded, e.total]); fn(e); }); },
});
"""


def fits_a_small_screen(page, where):
    report = page.evaluate(SMALL_SCREEN)
    assert report["small"] == [], (where, report["small"])
    assert report["minFont"] >= 16, where
    assert report["scrollWidth"] <= 360, where


def ident(k, sex="M"):
    return idnumber.make("150430", date(1950, 1, 1 + k), 300 + k, sex)


def roster(village_of_row_4="西沟村"):
    rows = [
        ["赵桂兰", "女", ident(1, "F"), "东营子村", "东营子村8号", "半失能", "分散供养", "赵强", "13800000101", "亲属", "2026-01-05"],
        ["钱福", "男", ident(2), "西沟村", "西沟村2号", "全自理", "分散供养", "孙丽", "13800000102", "邻里", "2026-02-10"],
        ["周有才", "男", ident(3), village_of_row_4, "", "全失能", "分散供养", "孙丽", "13800000102", "邻里", "2026-02-10"],
    ]
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def workbook(download):
    return load_workbook(io.BytesIO(Path(download.path()).read_bytes()))


def choose(page, data, name="花名册.xlsx", mime=XLSX):
    page.set_input_files("#import-file", files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_staff_import_a_roster_from_the_app(context, site):
    context.add_init_script(PROGRESS_SPY)
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")
    page.click("#import-link")
    page.wait_for_selector("#choose-file")
    fits_a_small_screen(page, "start")
    shot(page, "import-1-start")

    # 1. the template, saved under its Chinese name
    with page.expect_download() as got:
        page.click("#download-template")
    template = got.value
    assert template.suggested_filename == "分散供养特困人员花名册（模板）.xlsx"
    assert [c.value for c in workbook(template).worksheets[0][1]][:3] == ["姓名", "性别", "公民身份号码"]
    with page.expect_download() as got:
        page.click("#download-export")
    assert got.value.suggested_filename == "甲镇分散供养特困人员花名册.xlsx"

    # 2. not a spreadsheet: the server's reason, beside the upload control
    choose(page, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="照片.png", mime="image/png")
    page.wait_for_selector("#import-error:has-text('不是可读取的电子表格')")
    assert page.is_visible("#choose-file")
    shot(page, "import-2-refused")

    # 3. a file with one bad row, sent slowly enough to watch it go up
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 2500})
    choose(page, roster(village_of_row_4="没有这个村"))
    page.wait_for_selector("#upload-progress:not([hidden])")
    page.wait_for_function("() => document.querySelector('#upload-progress').value > 0")
    status = page.inner_text("#upload-status")  # on loopback the body is up at once; the answer is throttled
    assert status == "已上传，正在检查…" or status.startswith("正在上传 花名册.xlsx"), status
    shot(page, "import-3-uploading")
    page.wait_for_selector("#import-counts", timeout=30000)
    seen = page.evaluate("window.__uploadProgress")  # the progress the browser reported as the body went up
    assert seen and all(computable for computable, _, _ in seen) and seen[-1][1] == seen[-1][2] > 1000
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    assert page.is_hidden("#import-error")
    assert page.inner_text("[data-count=created] strong") == "2"
    assert page.inner_text("[data-count=errors] strong") == "1"
    error = page.inner_text("#import-errors li")
    assert "第 4 行" in error and "村" in error and "没有这个村" in error
    assert page.is_disabled("#apply") and page.is_visible("#apply-blocked")
    assert not page.is_visible("#import-missing li")  # may be hundreds: the count, and the list on demand
    page.click("#import-missing summary")
    missing = page.inner_text("#import-missing")
    assert "2 人（不会删除）" in missing and "李秀英 · 东营子村" in missing and "张德明 · 西沟村" in missing
    fits_a_small_screen(page, "errors")
    shot(page, "import-4-errors")

    # 4. corrected and sent again: the plan, collapsed until asked for
    choose(page, roster())
    page.wait_for_selector("[data-count=created] strong:text-is('3')")
    assert page.locator("#import-errors").count() == 0 and page.is_enabled("#apply")
    assert not page.is_visible("#import-plan li")
    page.click("#import-plan summary")
    assert "新建登录" in page.inner_text("#import-plan li[data-row='2']")
    assert "西沟村" in page.inner_text("#import-plan li[data-row='4']")  # the village by name, not its id
    fits_a_small_screen(page, "dry run")
    page.locator("#import-counts").scroll_into_view_if_needed()
    shot(page, "import-5-dry-run")
    page.locator("#apply").scroll_into_view_if_needed()
    shot(page, "import-6-ready")

    # 5. apply: the logins and their one-time passwords, this once, and the printable sheet
    page.click("#apply")
    page.wait_for_selector("#passwords-once")
    assert "只显示这一次" in page.inner_text("#passwords-once")
    assert page.inner_text("#applied-counts") == "新增 3，更新 0，不变 0"
    sun = page.locator("[data-username='13800000102']")
    assert "孙丽" in sun.inner_text() and "钱福、周有才" in sun.inner_text()
    password = sun.locator("code.otp").inner_text()
    assert len(password) >= 8
    fits_a_small_screen(page, "applied")
    shot(page, "import-7-logins")
    with page.expect_download() as got:
        page.click("#download-logins")
    sheet = got.value
    assert sheet.suggested_filename == "甲镇新建登录账号.xlsx"
    ws = workbook(sheet).active
    rows = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=3).value for r in range(4, ws.max_row + 1)}
    assert rows == {"13800000101": rows["13800000101"], "13800000102": password}
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM person WHERE name IN ('赵桂兰', '钱福', '周有才')")) == 3
        assert conn.scalar(sa.text("SELECT count(*) FROM person WHERE name IN ('李秀英', '张德明')")) == 2


def test_district_admin_picks_the_township_and_a_stale_dry_run_is_refused(context, site):
    from sqlmodel import Session

    from server.auth.models import User
    from server.auth.service import make_hasher
    from server.places import service as places
    from tests.pwa.conftest import PASSWORD

    with Session(site.database.engine) as s:
        district = s.scalar(sa.text("SELECT id FROM place WHERE level = 'district'"))
        s.add(User(username="admin", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                   role="district_admin", display_name="民政局", place_id=district))
        s.commit()
    wb = Workbook()
    wb.active.append(["姓名", "手机号", "所在村", "服务队"])
    wb.active.append(["李春花", "13700000001", "西沟村", "甲镇巾帼志愿服务队"])
    out = io.BytesIO()
    wb.save(out)

    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "admin")
    page.click("#import-link")
    page.wait_for_selector("#import-place")
    page.select_option("#import-place", label="甲镇")
    page.select_option("#import-kind", "volunteers")
    with page.expect_download() as got:
        page.click("#download-export")
    assert got.value.suggested_filename == "甲镇志愿服务队队员名单.xlsx"
    choose(page, out.getvalue(), name="队员.xlsx")
    page.wait_for_selector("[data-count=created] strong:text-is('1')")
    page.click("#import-missing summary")
    assert "志愿者小赵" in page.inner_text("#import-missing")

    with Session(site.database.engine) as s:  # the township changes between the dry run and apply
        places.create(s, actor=None, name="南山村", level="village", parent_id=site.township_id)
        s.commit()
    page.click("#apply")
    page.wait_for_selector("#import-error:has-text('预览之后系统中的数据已有变化')")
    assert page.locator("#apply").count() == 0  # the old dry run is gone: upload again
    fits_a_small_screen(page, "stale")
    shot(page, "import-8-stale")

    choose(page, out.getvalue(), name="队员.xlsx")
    page.wait_for_selector("#apply:enabled")
    assert page.is_hidden("#import-error")
    page.click("#apply")
    page.wait_for_selector("[data-username='13700000001'] code.otp")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT role FROM app_user WHERE username = '13700000001'")) == "volunteer"
    shot(page, "import-9-volunteer-logins")


def sheet(header, rows):
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def open_import(context):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")
    page.click("#import-link")
    page.wait_for_selector("#choose-file")
    return page


def to_top(page, selector):
    """Scroll `selector` to the top of the screen, below the sticky bar, for its screenshot."""
    page.eval_on_selector(selector, "e => { e.scrollIntoView(); scrollBy(0, -64); }")


def column(page, letter):
    return page.text_content(f"#import-columns li[data-column={letter}] label")  # shown or folded away


def relation_by_meaning():
    """A roster whose relation column says 与老人关系, with a column the app does not keep (户籍性质)."""
    header = ["姓名", "性别", "身份证号", "村", "住址", "自理能力", "救助类别", "特殊困难情形", "照料人", "照料人电话",
              "与老人关系", "户籍性质"]
    li = idnumber.make("150430", date(1944, 3, 8), 100, "F")  # 李秀英, 半失能 in the system
    return sheet(header, [
        ["吴春梅", "女", ident(11, "F"), "东营子村", "东营子村11号", "半失能", "特困", "独居、重残", "吴建国", "13800000111", "子女", "农业"],
        ["郑长顺", "男", ident(12), "西沟村", "西沟村12号", "全自理", "低保", "", "冯兰", "13800000112", "邻居", "非农业"],
        ["李秀英", "女", li, "东营子村", "东营子村3号", "全失能", "特困", "", "王照料", "13900000001", "亲属", "农业"],
    ])


def test_columns_read_by_meaning_and_the_preview_in_the_rosters_words(context, site):
    page = open_import(context)
    choose(page, relation_by_meaning())
    page.wait_for_selector("#import-columns")

    # how each column was read: 与老人关系 by its meaning, 户籍性质 not at all (and so the section is open)
    assert page.evaluate("document.querySelector('#import-columns').open")
    assert column(page, "K") == "K列 与老人关系 → 关系（按含义识别）"
    assert page.input_value("#map-K") == "relation"
    assert column(page, "C") == "C列 身份证号 → 公民身份号码（按列名识别）"
    assert column(page, "L") == "L列 户籍性质 → 未识别"
    assert page.input_value("#map-L") == ""
    assert "unread" in page.get_attribute("#import-columns li[data-column=L]", "class")
    assert "1 列未识别" in page.inner_text("#import-columns summary")
    options = page.eval_on_selector_all("#map-L option", "os => os.map(o => o.textContent)")
    assert options[:4] == ["未识别（不导入）", "姓名＊", "性别", "公民身份号码＊"]
    fits_a_small_screen(page, "columns")
    to_top(page, "#import-columns")
    shot(page, "import-10-columns")
    to_top(page, "#import-columns li[data-column=I]")
    shot(page, "import-10b-columns-unread")

    # the plan in the roster's words: no i18n key, no code
    page.wait_for_selector("[data-count=created] strong:text-is('2')")
    assert page.inner_text("[data-count=updated] strong") == "1"
    page.click("#import-plan summary")
    plan = page.inner_text("#import-plan")
    assert "救助类别：特困" in plan and "救助类别：低保" in plan
    assert "特殊困难情形：独居、重残" in plan and "村：东营子村" in plan and "性别：女" in plan
    assert "自理能力：半失能 → 全失能" in plan
    for code in ("imp_", "partly_disabled", "fully_disabled", "self_care", "tekun", "dibao", "lives_alone",
                 "severe_disability", "relative", "neighbour"):
        assert code not in plan, code
    fits_a_small_screen(page, "plan in words")


def test_in_english_the_preview_names_the_fields_in_english_and_keeps_the_rosters_words(context, site):
    context.add_init_script("localStorage.setItem('lang', 'en')")
    page = open_import(context)
    choose(page, relation_by_meaning())
    page.wait_for_selector("[data-count=created] strong:text-is('2')")
    assert column(page, "K") == "Column K “与老人关系” → 关系（by its meaning）"
    page.click("#import-plan summary")
    plan = page.inner_text("#import-plan")
    assert "Assistance category：特困" in plan and "Self-care：半失能 → 全失能" in plan
    assert "Special hardship：独居、重残" in plan
    assert "imp_" not in plan and "tekun" not in plan and "partly_disabled" not in plan


def test_a_column_the_server_cannot_name_is_chosen_on_screen_and_remembered(context, site):
    header = ["姓名", "性别", "证号码", "村", "自理能力", "照料人", "照料人电话", "关系"]
    data = sheet(header, [
        ["冯玉珍", "女", ident(21, "F"), "东营子村", "半失能", "陈刚", "13800000121", "亲属"],
        ["褚国富", "男", ident(22), "西沟村", "全自理", "陈刚", "13800000121", "邻里"],
    ])
    page = open_import(context)
    assert fetched(page).count("/imports.js") == 1  # fetched when first opened
    choose(page, data)

    # 证号码 is no header the server knows: the ID column is missing, the file cannot be applied
    page.wait_for_selector("#columns-lacking")
    assert "公民身份号码" in page.inner_text("#columns-lacking")
    assert page.evaluate("document.querySelector('#import-columns').open")
    assert column(page, "C") == "C列 证号码 → 未识别"
    error = page.inner_text("#import-errors")
    assert "公民身份号码" in error and "文件中没有这一列（必填）" in error
    assert page.is_disabled("#apply") and "缺少必填的列" in page.inner_text("#apply-blocked")
    fits_a_small_screen(page, "column missing")
    to_top(page, "#import-columns")
    shot(page, "import-11-column-missing")

    # a column chosen for a field another column holds: the server's reason, and the choices stay
    page.select_option("#map-C", "name")
    page.click("#remap")
    page.wait_for_selector("#import-error:has-text('只能对应文件中的一列')")
    assert page.input_value("#map-C") == "name"

    # staff say which column it is, and the same file is checked again
    page.select_option("#map-C", "id_number")
    page.click("#remap")
    page.wait_for_selector("[data-count=created] strong:text-is('2')")
    assert page.is_hidden("#import-error")
    assert page.locator("#import-errors").count() == 0 and page.locator("#columns-lacking").count() == 0
    assert column(page, "C") == "C列 证号码 → 公民身份号码（按指定的对应）"
    assert not page.evaluate("document.querySelector('#import-columns').open")  # every column read
    fits_a_small_screen(page, "remapped")
    to_top(page, "#import-counts")
    shot(page, "import-12-remapped")

    # applied: the logins, and the address the caregiver opens to log in
    page.click("#apply")
    page.wait_for_selector("#passwords-once")
    address = page.inner_text("#login-address")
    assert "登录地址" in address and site.url in address and "手机浏览器" in address
    fits_a_small_screen(page, "applied with address")
    to_top(page, "#download-logins")
    shot(page, "import-13-address")

    # the township's next file is read the same way, without choosing again
    page.goto("/#/import")
    page.wait_for_selector("#choose-file")
    choose(page, data)
    page.wait_for_selector("[data-count=unchanged] strong:text-is('2')")
    assert column(page, "C") == "C列 证号码 → 公民身份号码（按指定的对应）"
    assert page.locator("#import-errors").count() == 0 and page.is_enabled("#apply")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT field FROM importmapping WHERE header = '证号码'")) == "id_number"


def test_the_import_screen_is_not_precached_but_opens_offline_once_visited(context, site):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")
    page.wait_for_selector("#import-link")
    assert fetched(page).count("/imports.js") == 0
    page.click("#import-link")
    page.wait_for_selector("#choose-file")
    assert page.evaluate("caches.match('/imports.js').then(Boolean)")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#choose-file")
    assert page.inner_text("#title") == "导入花名册" and page.is_visible("#back")
    context.set_offline(False)


def test_a_big_roster_lists_two_hundred_rows_and_counts_them_all(context, site):
    """The dry run keeps the 200 rows a phone lists, shown a page at a time (加载更多); the screen
    says how many rows there are and how many are not listed, and applying writes them all."""
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for k in range(230):
        ws.append([f"大名单{k}", "男", idnumber.make("150432", date(1940, 1, 1), k + 1, "M"),
                   ("东营子村", "西沟村")[k % 2], f"{k}号", "全自理", "分散供养", f"照料人{k}", f"1590{k:07d}", "亲属",
                   "2026-01-05"])
    out = io.BytesIO()
    wb.save(out)
    page = open_import(context)
    choose(page, out.getvalue())
    page.wait_for_selector("[data-count=created] strong:text-is('230')")
    assert page.inner_text("#import-plan summary") == "逐行预览（230 行）"
    page.click("#import-plan summary")
    assert page.inner_text("#import-plan-unlisted") == "预览列出其中 200 行（有变化的在前），另有 30 行未列出"
    assert page.locator("#import-plan li.plan-row").count() == 50
    for shown in (100, 150, 200):
        page.click("#import-plan-more")
        page.wait_for_function(f"() => document.querySelectorAll('#import-plan li.plan-row').length === {shown}")
    page.wait_for_selector("#import-plan-more", state="hidden")
    rows = page.eval_on_selector_all("#import-plan li.plan-row", "els => els.map(e => Number(e.dataset.row))")
    assert rows == list(range(2, 202))  # each once, in the file's order
    page.click("#apply")
    page.wait_for_selector("#passwords-once", timeout=30000)
    assert page.inner_text("#applied-counts") == "新增 230，更新 0，不变 0"
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM person WHERE name LIKE '大名单%'")) == 230


def test_a_file_of_many_errors_shows_a_page_and_loads_more(context, site):
    """Issue 30 L10: the dry run's answer holds the first 50 errors; 加载更多 reads the next page
    until every error is listed, once each, in the file's order."""
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for k in range(120):
        ws.append([f"错名单{k}", "男", idnumber.make("150433", date(1941, 1, 1), k + 1, "M"), "没有这个村", f"{k}号",
                   "全自理", "分散供养", f"照料人{k}", f"1580{k:07d}", "亲属", "2026-01-05"])
    out = io.BytesIO()
    wb.save(out)
    page = open_import(context)
    choose(page, out.getvalue())
    page.wait_for_selector("[data-count=errors] strong:text-is('120')")
    assert page.locator("#import-errors li").count() == 50
    assert page.is_disabled("#apply") and page.is_visible("#apply-blocked")
    fits_a_small_screen(page, "errors, a page of them")
    page.click("#import-errors-more")
    page.wait_for_function("() => document.querySelectorAll('#import-errors li').length === 100")
    assert page.is_visible("#import-errors-more")
    page.click("#import-errors-more")
    page.wait_for_function("() => document.querySelectorAll('#import-errors li').length === 120")
    page.wait_for_selector("#import-errors-more", state="hidden")
    rows = page.eval_on_selector_all("#import-errors li", "els => els.map(e => Number(e.dataset.row))")
    assert rows == list(range(2, 122))
    assert "没有这个村" in page.inner_text("#import-errors li[data-row='121']")
