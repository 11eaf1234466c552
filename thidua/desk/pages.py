"""The desk's article pages: list, form, save, history, bin, review and publish, images.

Each route parses the request, asks the role's permission, calls store/review/uploads and
renders a template; the rules live in those modules and in the article form's own helpers.
"""

import time
import uuid
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from plugins.content_checks.header import parse_source
from thidua.scaffold import CATEGORY_FOLDERS, TEMPLATE

from . import review, store
from .app import allow, desk_of

PER_PAGE = 50
FILTERS = {"chuyen_muc": "category", "dia_phuong": "locality", "phong_trao": "campaign", "tac_gia": "author"}


def article_form():
    """Return the article form's helpers (article_form.py), or None before that module exists."""
    try:
        from . import article_form as module
    except ImportError:
        return None
    return module


def header(text: str) -> dict[str, str]:
    """Return an article's header as {lower-case key: value}."""
    return {f.key.casefold(): f.value for f in parse_source(text).fields}


def path_of(request: Request) -> str:
    """Return the article path of the URL, refusing anything that is not an article file."""
    path = request.path_params["path"]
    try:
        file = store.article_file(desk_of(request).content, path)
    except store.BadPath:
        raise HTTPException(404) from None
    if not file.is_file():
        raise HTTPException(404)
    return path


def when(desk, seconds: float) -> str:
    """Format a timestamp as local date and time for people."""
    return datetime.fromtimestamp(seconds, desk.clock().tzinfo).strftime("%d/%m/%Y %H:%M")


async def article_list(request: Request):
    """List articles, newest first, with a search that ignores diacritics and the filters."""
    allow(request, "write")
    desk = desk_of(request)
    entries = await run_in_threadpool(store.list_entries, desk.content)
    waiting, now = review.in_review(desk.db), desk.clock()
    status = {e.path: review.status_of(e.status, e.date, e.path in waiting, now) for e in entries}
    query = request.query_params
    filters = {name: query.get(param, "") for param, name in FILTERS.items()}
    wanted = query.get("trang_thai", "")
    found = [
        e
        for e in entries
        if store.matches(e, query.get("q", ""), **filters) and (not wanted or status[e.path] == wanted)
    ]
    page = max(1, int(query.get("trang", "1")) if query.get("trang", "1").isdigit() else 1)
    return desk.render(
        request,
        "articles.html",
        entries=found[(page - 1) * PER_PAGE : page * PER_PAGE],
        count=len(found),
        state_of=status,
        query=query,
        states=review.STATES,
        categories=list(CATEGORY_FOLDERS),
        localities=sorted({x for e in entries for x in e.localities}),
        campaigns=sorted({x for e in entries for x in e.campaigns}),
        authors=sorted({e.author for e in entries if e.author}),
        page=page,
        pages=max(1, -(-len(found) // PER_PAGE)),
    )


def edit_response(request: Request, path: str | None, text: str, base: str, status: int = 200, **extra):
    """Render the article form (edit.html) for a file's text."""
    desk, user = desk_of(request), request.state.user
    forms = article_form()
    fields = forms.fields_from_markdown(text) if forms else {}
    waiting = store.proposal(desk.db, path) if path else None
    if waiting:  # a correction waits for review: go on from it, not from the published text
        text = waiting["text"]
        fields = forms.fields_from_markdown(text) if forms else {}
    kept = store.autosaved(desk.db, user, path or "")
    if kept and request.query_params.get("ban_luu_tam"):  # the editor chose the work in progress
        text = kept[0].get("noi_dung") or text
        if forms:
            raw = "noi_dung" in kept[0]  # kept by a refused save: the whole file
            fields = forms.fields_from_markdown(text) if raw else forms.fields_from_form(kept[0])
    context = {
        "fields": extra.pop("fields", fields),
        "path": path,
        "base_version": base,
        "text": text,
        "can_publish": user.can("publish"),
        "problems": [],
        "autosave": when(desk, kept[1]) if kept else "",
        "saved": bool(request.query_params.get("da_luu")),
        "pending": desk.strings["pending_found"].format(name=waiting["full_name"], when=when(desk, waiting["at"]))
        if waiting
        else "",
        **extra,
    }
    return desk.render(request, "edit.html", status, **context)


async def new_article(request: Request):
    """Show an empty article form (today's date, a draft, a fresh Id)."""
    allow(request, "write")
    now = desk_of(request).clock()
    text = TEMPLATE.format(title="", date=now.strftime("%Y-%m-%d %H:%M"), category="", localities="", campaigns="",
                           slug="", uid=uuid.uuid4())  # fmt: skip
    forms = article_form()
    if forms and not request.query_params.get("ban_luu_tam"):
        return edit_response(request, None, text, "", fields=forms.new_fields(now))
    return edit_response(request, None, text, "")


async def edit_article(request: Request):
    """Show an article in the form, with the version the save will start from."""
    allow(request, "write")
    path = path_of(request)
    data = (desk_of(request).content / path).read_bytes()
    return edit_response(request, path, data.decode("utf-8", "replace"), store.version_of(data))


def compose(form, original: str | None) -> str:
    """Return the file text a submitted form stands for (whole file, or the article form's fields)."""
    if "noi_dung" in form:  # the plain-text way: the file as editors write it by hand
        return str(form["noi_dung"]).replace("\r\n", "\n")
    forms = article_form()
    if forms is None:
        raise HTTPException(400)
    return forms.markdown_from_fields(form, original)


def keep_status(text: str, previous: str | None, user) -> str:
    """Return the text with the Status it had (a new article: draft) unless the account may publish.

    Only who may publish changes what readers see, whatever the form or the plain text says.
    """
    if user.can("publish"):
        return text
    wanted = (header(previous).get("status") or "published") if previous is not None else "draft"
    current = header(text).get("status") or "published"
    return text if current == wanted else review.with_field(text, "Status", wanted)


async def save_article(request: Request):
    """Save the form as content/…md and commit it; refuse if the file changed meanwhile."""
    user = allow(request, "write")
    desk = desk_of(request)
    form = await request.form()
    path, base = str(form.get("path", "")), str(form.get("base_version", ""))
    file = None
    if path:
        try:
            file = store.article_file(desk.content, path)
        except store.BadPath:
            raise HTTPException(404) from None
    original = file.read_bytes().decode("utf-8") if file and file.exists() else None
    text = keep_status(compose(form, original), original, user)
    if not path:
        fields = header(text)
        if not fields.get("title") or fields.get("category", "").strip() not in CATEGORY_FOLDERS:
            return edit_response(request, None, text, "", problems=[desk.strings["need_title"]], status=400)
        if "id" not in fields or not fields["id"]:
            text = review.with_field(text, "Id", str(uuid.uuid4()))
        path = store.new_article_path(desk.content, fields["category"], fields.get("slug") or fields["title"])
    done = await write(request, path, text, base, original, f"Bàn biên tập: lưu {path}")
    if done is not None:
        return done
    store.drop_autosave(desk.db, user, str(form.get("path", "")))
    return RedirectResponse(f"/bai-viet/{path}/sua?da_luu=1", status_code=303)


async def write(request: Request, path: str, text: str, base: str, original: str | None, message: str):
    """Commit the text, or keep it as a correction for review; return a response unless it was committed.

    A published article changed by someone who may not publish is not written: the next publish,
    of any article by anyone, would put the change on the site unreviewed.
    """
    desk, user = desk_of(request), request.state.user
    if (
        original is not None
        and not user.can("publish")
        and (header(original).get("status") or "published") == "published"
    ):
        if store.version_of(original.encode("utf-8")) != base:
            return conflict_page(request, path, original, text)
        store.propose(desk.db, path, text, base, user, desk.timestamp())
        review.set_review(desk.db, path, "in_review", user.name, desk.timestamp())
        store.drop_autosave(desk.db, user, path)
        return RedirectResponse(f"/bai-viet/{path}/duyet?de_xuat=1", status_code=303)
    try:
        await run_in_threadpool(desk.repo.save, path, text, base, user, message)
    except store.Conflict as conflict:
        return conflict_page(request, path, conflict.current, text)
    if user.can("publish"):
        store.drop_proposal(desk.db, path)  # the chief editor's own save replaces a waiting correction
    return None


def conflict_page(request: Request, path: str, current: str, text: str):
    """Show both versions side by side; keep the refused one as the editor's work in progress."""
    desk = desk_of(request)
    store.autosave(desk.db, request.state.user, path, {"noi_dung": text}, desk.timestamp())  # never lose it
    version = store.version_of(current.encode("utf-8"))
    return desk.render(request, "conflict.html", 409, path=path, theirs=current, yours=text, base_version=version)


async def keep_draft(request: Request):
    """Keep the form's work in progress in the database (the editor's script calls this every few seconds)."""
    user = allow(request, "write")
    desk = desk_of(request)
    form = await request.form()
    fields = {
        key: (values if len(values := form.getlist(key)) > 1 else values[0]) for key in form if key != "csrf_token"
    }
    store.autosave(desk.db, user, str(form.get("path", "")), fields, desk.timestamp())
    return JSONResponse({"saved": when(desk, desk.timestamp())})


async def history(request: Request):
    """Show the commits of an article, each restorable."""
    allow(request, "write")
    desk, path = desk_of(request), path_of(request)
    data = (desk.content / path).read_bytes()
    revisions = await run_in_threadpool(desk.repo.history, path)
    title = header(data.decode("utf-8", "replace")).get("title", path)
    return desk.render(
        request,
        "history.html",
        path=path,
        title=title,
        revisions=revisions,
        base_version=store.version_of(data),
        restored=bool(request.query_params.get("da_khoi_phuc")),
    )


async def show_version(request: Request):
    """Show an article's text at one commit of its history, with the button to restore it."""
    allow(request, "write")
    desk, path = desk_of(request), path_of(request)
    commit = request.path_params["commit"]
    try:
        text = await run_in_threadpool(desk.repo.text_at, path, commit)
    except store.BadPath:
        raise HTTPException(404) from None
    current = store.version_of((desk.content / path).read_bytes())
    return desk.render(request, "version.html", path=path, commit=commit, text=text, base_version=current)


async def restore_version(request: Request):
    """Save an earlier version again as a new commit (history is never rewritten)."""
    user = allow(request, "write")
    desk, path = desk_of(request), path_of(request)
    form = await request.form()
    commit = str(form.get("commit", ""))
    try:
        text = await run_in_threadpool(desk.repo.text_at, path, commit)
    except store.BadPath:
        raise HTTPException(404) from None
    original = (desk.content / path).read_bytes().decode("utf-8")  # bytes: CRLF kept
    text = keep_status(text, original, user)
    message = f"Bàn biên tập: khôi phục {path} về {commit[:10]}"
    done = await write(request, path, text, str(form.get("base_version", "")), original, message)
    return done or RedirectResponse(f"/bai-viet/{path}/lich-su?da_khoi_phuc=1", status_code=303)


async def delete_article(request: Request):
    """Move an article to the bin; a published one only by who may publish (it leaves the site)."""
    user = allow(request, "write")
    desk, path = desk_of(request), path_of(request)
    if header((desk.content / path).read_text(encoding="utf-8")).get("status", "published") == "published":
        allow(request, "publish")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(desk.timestamp())) + f"-{uuid.uuid4().hex[:6]}"
    await run_in_threadpool(desk.repo.delete, path, user, stamp)
    review.set_review(desk.db, path, None, user.name, desk.timestamp())
    return RedirectResponse("/thung-rac?da_xoa=1", status_code=303)


async def bin_page(request: Request, message: str = "", status: int = 200):
    """List the bin."""
    allow(request, "write")
    desk = desk_of(request)
    if request.query_params.get("da_xoa"):
        message = desk.strings["binned"]
    return desk.render(request, "bin.html", status, items=desk.repo.bin(), message=message)


async def restore_from_bin(request: Request):
    """Put a binned article back in content/."""
    user = allow(request, "write")
    desk = desk_of(request)
    form = await request.form()
    binned = next((i for i in desk.repo.bin() if (i["id"], i["path"]) == (form.get("id"), form.get("path"))), None)
    if binned and binned["status"] == "published":
        allow(request, "publish")  # it would be back on the site at the next publish
    try:
        await run_in_threadpool(desk.repo.restore_from_bin, str(form.get("id", "")), str(form.get("path", "")), user)
    except store.BadPath:
        raise HTTPException(404) from None
    except store.Conflict:
        return await bin_page(request, desk.strings["bin_taken"], 409)
    return await bin_page(request, desk.strings["bin_restored"])


def routes() -> list[Route]:
    """Return the article routes (review and images are added by their module)."""
    from .review_pages import routes as review_routes

    return [
        Route("/", article_list, methods=["GET"]),
        Route("/bai-viet/moi", new_article, methods=["GET"]),
        Route("/bai-viet/luu", save_article, methods=["POST"]),
        Route("/bai-viet/luu-tam", keep_draft, methods=["POST"]),
        Route("/bai-viet/{path:path}/sua", edit_article, methods=["GET"]),
        Route("/bai-viet/{path:path}/lich-su", history, methods=["GET"]),
        Route("/bai-viet/{path:path}/khoi-phuc", restore_version, methods=["POST"]),
        Route("/bai-viet/{path:path}/phien-ban/{commit:str}", show_version, methods=["GET"]),
        Route("/bai-viet/{path:path}/xoa", delete_article, methods=["POST"]),
        Route("/thung-rac", bin_page, methods=["GET"]),
        Route("/thung-rac/khoi-phuc", restore_from_bin, methods=["POST"]),
        *review_routes(),
    ]
