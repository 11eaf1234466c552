"""The desk's review, publishing, audit and image pages.

Publishing changes one header line (Status, and Date when scheduling), commits it as the chief
editor, then runs the strict publish; if the publish fails, the line is put back in a second
commit, so a refused article never blocks the next publish of someone else's work.
"""

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from . import review, store, uploads
from .accounts import User
from .app import allow, desk_of
from .pages import conflict_page, header, path_of, when


async def review_page(request: Request, message: str = "", status: int = 200, **extra):
    """Show an article's status, its comments and the actions the account's role allows."""
    allow(request, "write")
    desk, path = desk_of(request), path_of(request)
    text = (desk.content / path).read_text(encoding="utf-8", errors="replace")
    fields = header(text)
    state = review.status_of(
        (fields.get("status") or "published").casefold(),
        fields.get("date", ""),
        path in review.in_review(desk.db),
        desk.clock(),
    )
    notes = [{**c, "when": when(desk, c["at"])} for c in review.comments(desk.db, path)]
    if request.query_params.get("da_gui"):
        message = desk.strings["submitted"]
    if request.query_params.get("de_xuat"):
        message = desk.strings["pending_saved"]
    waiting = store.proposal(desk.db, path)
    if waiting:
        waiting["title"] = desk.strings["pending_proposed"].format(
            name=waiting["full_name"], when=when(desk, waiting["at"])
        )
    return desk.render(
        request,
        "review.html",
        status,
        path=path,
        title=fields.get("title", path),
        state=state,
        live=(fields.get("status") or "published").casefold() == "published",
        comments=notes,
        message=message,
        current=text,
        waiting=waiting,
        **extra,
    )


async def submit(request: Request):
    """Put an article in review."""
    user = allow(request, "submit")
    desk, path = desk_of(request), path_of(request)
    review.set_review(desk.db, path, "in_review", user.name, desk.timestamp())
    return RedirectResponse(f"/bai-viet/{path}/duyet?da_gui=1", status_code=303)


async def comment(request: Request):
    """Add a comment (editors answer their reviewer's notes too)."""
    user = allow(request, "write")
    desk, path = desk_of(request), path_of(request)
    text = str((await request.form()).get("text", "")).strip()
    if text:
        review.add_comment(desk.db, path, user.full_name, text[:4000], desk.timestamp())
    return RedirectResponse(f"/bai-viet/{path}/duyet", status_code=303)


async def send_back(request: Request):
    """Take an article out of review so its editor can change it."""
    user = allow(request, "review")
    desk, path = desk_of(request), path_of(request)
    review.set_review(desk.db, path, None, user.name, desk.timestamp())
    return await review_page(request, desk.strings["returned"])


async def change_and_publish(request: Request, action: str, changes: dict[str, str]):
    """Set header fields, commit, run the strict publish, log it; undo everything if it fails.

    Publishing applies a correction waiting for review first, as a commit by its author.
    """
    user = allow(request, "publish")
    desk, path = desk_of(request), path_of(request)
    before = (desk.content / path).read_bytes()
    text, version = before.decode("utf-8"), store.version_of(before)
    waiting = store.proposal(desk.db, path) if action == "publish" else None
    if waiting:
        if waiting["base"] != version:  # the file changed after the correction was written
            return conflict_page(request, path, text, waiting["text"])
        author = User(waiting["name"], waiting["full_name"], "editor")
        message = f"Bàn biên tập: lưu {path} (bản sửa được duyệt)"
        version = await run_in_threadpool(desk.repo.save, path, waiting["text"], version, author, message)
        text = waiting["text"]
    for key, value in changes.items():
        text = review.with_field(text, key, value)
    version = await run_in_threadpool(desk.repo.save, path, text, version, user, f"Bàn biên tập: {action} {path}")
    ok, output = await run_in_threadpool(review.run_publish, desk.root)
    if not ok:
        undo = f"Bàn biên tập: hoàn tác ({action} không thành) {path}"
        await run_in_threadpool(desk.repo.save, path, before.decode("utf-8"), version, user, undo)
    else:
        review.set_review(desk.db, path, None, user.name, desk.timestamp())
        if waiting:
            store.drop_proposal(desk.db, path)
    detail = ", ".join(f"{k}: {v}" for k, v in changes.items())
    review.record(desk.db, user.full_name, action, path, f"{'ok' if ok else 'failed'}; {detail}", desk.timestamp())
    return desk.render(request, "publish.html", 200 if ok else 500, path=path, ok=ok, output=output)


async def publish(request: Request):
    """Approve and publish now (a scheduled article's Date becomes now); a published one: its correction."""
    allow(request, "publish")
    desk, path = desk_of(request), path_of(request)
    changes = {"Status": "published"}
    now = desk.clock().strftime("%Y-%m-%d %H:%M")
    if header((desk.content / path).read_text(encoding="utf-8")).get("date", "") > now:
        changes["Date"] = now
    return await change_and_publish(request, "publish", changes)


async def schedule(request: Request):
    """Approve with a future Date: published by the first publish after that time."""
    allow(request, "publish")
    desk = desk_of(request)
    moment = str((await request.form()).get("moment", "")).strip().replace("T", " ")
    if not review.valid_schedule(moment, desk.clock()):
        return await review_page(request, "", 400, error=desk.strings["schedule_invalid"], moment=moment)
    return await change_and_publish(request, "schedule", {"Date": moment, "Status": "published"})


async def take_down(request: Request):
    """Hide an article from the site and publish."""
    return await change_and_publish(request, "take_down", {"Status": "hidden"})


async def audit_page(request: Request):
    """Show who published, scheduled or took down what, and when."""
    allow(request, "review")
    desk = desk_of(request)
    lines = [{**line, "when": when(desk, line["at"])} for line in review.audit_log(desk.db)]
    return desk.render(request, "audit.html", lines=lines)


async def images_page(request: Request, message: str = "", error: str = "", status: int = 200):
    """List uploaded images with the upload form."""
    allow(request, "write")
    desk = desk_of(request)
    return desk.render(
        request, "images.html", status, images=uploads.list_images(desk.content), message=message, error=error
    )


async def upload(request: Request):
    """Store an uploaded picture under content/images/ and commit it; JSON for the editor's script."""
    user = allow(request, "write")
    desk = desk_of(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    form = await request.form()
    picture = form.get("image")
    try:
        if not isinstance(picture, UploadFile):
            raise uploads.UploadRefused("upload_missing")
        data = await picture.read()
        stored = await run_in_threadpool(uploads.store_image, desk.content, picture.filename or "", data)
    except uploads.UploadRefused as refused:
        message = desk.strings[str(refused)]
        if wants_json:
            return JSONResponse({"error": message}, status_code=400)
        return await images_page(request, error=message, status=400)
    finally:
        await form.close()
    await run_in_threadpool(desk.repo.commit, [f"content/{stored}"], f"Bàn biên tập: tải ảnh {stored}", user)
    if wants_json:
        return JSONResponse({"path": stored})
    return await images_page(request, desk.strings["uploaded"].format(path=stored))


def routes() -> list[Route]:
    """Return the review, audit and image routes."""
    return [
        Route("/bai-viet/{path:path}/duyet", review_page, methods=["GET"]),
        Route("/bai-viet/{path:path}/gui-duyet", submit, methods=["POST"]),
        Route("/bai-viet/{path:path}/nhan-xet", comment, methods=["POST"]),
        Route("/bai-viet/{path:path}/tra-lai", send_back, methods=["POST"]),
        Route("/bai-viet/{path:path}/xuat-ban", publish, methods=["POST"]),
        Route("/bai-viet/{path:path}/hen-gio", schedule, methods=["POST"]),
        Route("/bai-viet/{path:path}/go-xuong", take_down, methods=["POST"]),
        Route("/nhat-ky", audit_page, methods=["GET"]),
        Route("/anh", images_page, methods=["GET"]),
        Route("/anh", upload, methods=["POST"]),
    ]
