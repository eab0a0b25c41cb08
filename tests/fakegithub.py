"""A local, stateful GitHub REST API on 127.0.0.1 for the reporter tests.

Every request the client sends and every response this server returns is checked against
GitHub's official OpenAPI description (npm @octokit/openapi, installed by scripts/test):
the path and method must exist, the JSON body must match the operation's request schema,
and the response body must match the schema of its status. Anything that does not is recorded
in `server.violations`, which the tests assert empty.

Responses are built from the description's own examples with the fields a test cares about
replaced, so their shape is GitHub's. State: one repository's refs, commits, trees and blobs,
one pull request with its diff, reviews, review comments and check runs. Faults (status,
headers, body, how many times) can be queued per route to test degradation.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "node_modules/@octokit/openapi/generated/api.github.com.json"
EXAMPLES_PATH = ROOT / "node_modules/@octokit/webhooks-examples/api.github.com/index.json"
SPEC_URI = "urn:github-openapi"
# Any operation can answer with these, though the description lists them for some only.
GENERIC_ERRORS = {401, 403, 404, 409, 422, 429, 500, 502, 503}


def _nullable_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` -> JSON Schema (type lists, or anyOf with null)."""
    if isinstance(node, list):
        return [_nullable_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_to_jsonschema(v) for k, v in node.items()}
    if out.pop("nullable", False) is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class OpenAPI:
    def __init__(self, path: Path = SPEC_PATH) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.doc: dict[str, Any] = _nullable_to_jsonschema(raw)
        self.registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, Resource.from_contents(self.doc, default_specification=DRAFT4)
        )
        self.routes: list[tuple[re.Pattern[str], str, int]] = []
        for template in self.doc["paths"]:
            parts = re.split(r"(\{[^}]+\})", template)
            regex = ""
            for index, part in enumerate(parts):
                if part.startswith("{"):
                    last = index >= len(parts) - 2 and parts[-1] == ""
                    regex += "(.+)" if last else "([^/]+)"
                else:
                    regex += re.escape(part)
            literal = sum(len(p) for p in parts if not p.startswith("{"))
            self.routes.append((re.compile(f"^{regex}$"), template, literal))

    def route(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        best: tuple[int, str] | None = None
        for regex, template, literal in self.routes:
            if (
                regex.match(path)
                and method.lower() in self.doc["paths"][template]
                and (best is None or literal > best[0])
            ):
                best = (literal, template)
        if best is None:
            return None
        return best[1], self.doc["paths"][best[1]][method.lower()]

    def _validate(self, pointer: str, instance: Any) -> list[str]:
        validator = jsonschema.Draft4Validator(
            {"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry
        )
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
            for e in validator.iter_errors(instance)
        ]

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def check_request(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> list[str]:
        found = self.route(method, path)
        if found is None:
            return [f"{method} {path}: no such operation in GitHub's API description"]
        template, operation = found
        problems = []
        known = {self._resolve(p)["name"] for p in operation.get("parameters", [])}
        for name in query:
            if name not in known:
                problems.append(f"{method} {template}: unknown query parameter {name!r}")
        request = operation.get("requestBody")
        if request:
            request = self._resolve(request)
            if body is None and request.get("required"):
                problems.append(f"{method} {template}: the request body is required")
            elif body is not None:
                pointer = _pointer(
                    "paths", template, method.lower(), "requestBody", "content",
                    "application/json", "schema",
                )  # fmt: skip
                if "$ref" in operation["requestBody"]:
                    ref = operation["requestBody"]["$ref"].lstrip("#")
                    pointer = ref + _pointer("content", "application/json", "schema")
                problems += [f"{method} {template} body {e}" for e in self._validate(pointer, body)]
        elif body is not None:
            problems.append(f"{method} {template}: this operation takes no body")
        return problems

    def check_response(self, method: str, path: str, status: int, body: Any) -> list[str]:
        found = self.route(method, path)
        if found is None:
            return []
        template, operation = found
        responses = operation["responses"]
        if str(status) not in responses:
            if status in GENERIC_ERRORS:
                return self._validate("/components/schemas/basic-error", body)
            return [f"{method} {template}: status {status} is not documented"]
        response = self._resolve(responses[str(status)])
        if "application/json" not in response.get("content", {}):
            return [] if body is None else [f"{method} {template} {status}: no body expected"]
        pointer = _pointer("paths", template, method.lower(), "responses", str(status))
        if "$ref" in responses[str(status)]:
            pointer = responses[str(status)]["$ref"].lstrip("#")
        pointer += _pointer("content", "application/json", "schema")
        return [f"{method} {template} -> {status} {e}" for e in self._validate(pointer, body)]

    def example(self, name: str) -> Any:
        return copy.deepcopy(self.doc["components"]["examples"][name]["value"])


def webhook_example(event: str, action: str) -> dict[str, Any]:
    """A real payload from @octokit/webhooks-examples."""
    events = json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))
    for entry in events:
        if entry["name"] == event:
            for example in entry["examples"]:
                if example.get("action") == action or action == "":
                    return copy.deepcopy(example)  # type: ignore[no-any-return]
    raise KeyError(f"{event}.{action}")


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


@dataclass
class Fault:
    method: str
    path_regex: str
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0


@dataclass
class Comment:
    id: int
    path: str
    line: int | None
    body: str
    commit_id: str


@dataclass
class State:
    owner: str = "Codertocat"
    repo: str = "Hello-World"
    head_ref: str = "changes"
    pull_number: int = 2
    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)  # tree sha -> path -> blob
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    diff: dict[str, str] = field(default_factory=dict)  # path -> unified diff "patch"
    comments: list[Comment] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    writable: bool = True
    next_id: int = 1000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def add_tree(self, files: dict[str, bytes]) -> str:
        entries = {}
        for path, data in files.items():
            sha = git_blob_sha(data)
            self.blobs[sha] = data
            entries[path] = sha
        sha = hashlib.sha1(json.dumps(sorted(entries.items())).encode()).hexdigest()
        self.trees[sha] = entries
        return sha

    def add_commit(self, files: dict[str, bytes], parents: list[str], message: str) -> str:
        tree = self.add_tree(files)
        sha = hashlib.sha1(f"{tree}{parents}{message}".encode()).hexdigest()
        self.commits[sha] = {"tree": tree, "parents": parents, "message": message}
        return sha

    def adopt_git(self, checkout: Path) -> str:
        """Register a real git repository's commits, trees and blobs under their real SHAs
        (so a workflow checkout of the head matches this server); returns HEAD."""
        import subprocess

        def git(*args: str) -> bytes:
            return subprocess.run(
                ["git", "-C", str(checkout), *args], check=True, capture_output=True
            ).stdout

        for sha in git("rev-list", "--reverse", "HEAD").decode().split():
            tree = git("rev-parse", f"{sha}^{{tree}}").decode().strip()
            parents = git("rev-list", "--parents", "-n", "1", sha).decode().split()[1:]
            entries = {}
            for row in git("ls-tree", "-r", "-z", sha).split(b"\0"):
                if row:
                    meta, name = row.split(b"\t", 1)
                    blob = meta.split()[2].decode()
                    self.blobs[blob] = git("cat-file", "blob", blob)
                    entries[name.decode()] = blob
            self.trees[tree] = entries
            self.commits[sha] = {"tree": tree, "parents": parents, "message": "git"}
        head = git("rev-parse", "HEAD").decode().strip()
        self.refs[f"heads/{self.head_ref}"] = head
        return head

    def files_at(self, commit: str) -> dict[str, bytes]:
        tree = self.trees[self.commits[commit]["tree"]]
        return {path: self.blobs[sha] for path, sha in tree.items()}

    def diff_lines(self, path: str) -> set[int]:
        """Right-side line numbers a review comment may target (GitHub's rule)."""
        lines: set[int] = set()
        number = 0
        for row in self.diff.get(path, "").splitlines():
            hunk = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", row)
            if hunk:
                number = int(hunk.group(1))
                continue
            if row.startswith("-"):
                continue
            lines.add(number)
            number += 1
        return lines


Handler = Callable[["FakeGitHub", re.Match[str], dict[str, list[str]], Any], tuple[int, Any]]


class FakeGitHub:
    def __init__(self, spec: OpenAPI, state: State) -> None:
        self.spec = spec
        self.state = state
        self.violations: list[str] = []
        self.log: list[tuple[str, str, int]] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                server.handle(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def calls(self, method: str | None = None, contains: str = "") -> list[tuple[str, str, int]]:
        return [c for c in self.log if (method is None or c[0] == method) and contains in c[1]]

    # -- plumbing ---------------------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        path, query = parts.path, parse_qs(parts.query)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        method = request.command
        delay = next(
            (f.delay for f in self.faults
             if f.times > 0 and f.delay and f.method == method and re.search(f.path_regex, path)),
            0.0,
        )  # fmt: skip
        if delay:  # a slow answer, outside the lock so other requests go on
            import time

            time.sleep(delay)
        with self.lock:
            self.violations += self.spec.check_request(method, path, query, body)
            if not request.headers.get("Authorization", "").startswith(("token ", "Bearer ")):
                status, payload, headers = 401, _error("Requires authentication"), {}
            else:
                status, payload, headers = self._dispatch(method, path, query, body)
            self.violations += self.spec.check_response(method, path, status, payload)
            self.log.append((method, path, status))
        data = b"" if payload is None else json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            request.wfile.write(data)  # the client may have given up (a timeout test)

    def _dispatch(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        for fault in self.faults:
            if fault.times > 0 and fault.method == method and re.search(fault.path_regex, path):
                fault.times -= 1
                return fault.status, fault.body or _error(f"fault {fault.status}"), fault.headers
        prefix = f"/repos/{self.state.owner}/{self.state.repo}"
        if not path.startswith(prefix):
            return 404, _error("Not Found"), {}
        for pattern, verb, handler in ROUTES:
            match = re.fullmatch(pattern, path[len(prefix) :])
            if match and verb == method:
                if method != "GET" and not self.state.writable:
                    return 403, _error("Resource not accessible by integration"), {}
                status, payload = handler(self, match, query, body)
                return status, payload, {}
        return 404, _error("Not Found"), {}

    def _api(self, suffix: str) -> str:
        return f"{self.url}/repos/{self.state.owner}/{self.state.repo}{suffix}"


def _error(message: str) -> dict[str, Any]:
    return {"message": message, "documentation_url": "https://docs.github.com/rest"}


# -- handlers -------------------------------------------------------------------------------------
def _check_run(gh: FakeGitHub, run: dict[str, Any]) -> dict[str, Any]:
    out = gh.spec.example("check-run")
    out.update(
        id=run["id"],
        head_sha=run["head_sha"],
        name=run["name"],
        status=run["status"],
        conclusion=run.get("conclusion"),
        url=gh._api(f"/check-runs/{run['id']}"),
    )
    out["output"].update(
        title=run["output"].get("title"),
        summary=run["output"].get("summary"),
        annotations_count=len(run["annotations"]),
    )
    return out


def create_check_run(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    annotations = (body.get("output") or {}).get("annotations") or []
    if len(annotations) > 50:
        return 422, _error("Only 50 annotations are allowed per request")
    run = {
        "id": gh.state.new_id(),
        "head_sha": body["head_sha"],
        "name": body["name"],
        "status": body.get("status", "queued"),
        "conclusion": body.get("conclusion"),
        "output": body.get("output") or {},
        "annotations": list(annotations),
    }
    gh.state.check_runs.append(run)
    return 201, _check_run(gh, run)


def update_check_run(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    run = next((r for r in gh.state.check_runs if r["id"] == int(m.group(1))), None)
    if run is None:
        return 404, _error("Not Found")
    annotations = (body.get("output") or {}).get("annotations") or []
    if len(annotations) > 50:
        return 422, _error("Only 50 annotations are allowed per request")
    run["annotations"] += annotations
    for key in ("status", "conclusion"):
        if key in body:
            run[key] = body[key]
    if body.get("output"):
        run["output"] = {**run["output"], **body["output"]}
    return 200, _check_run(gh, run)


def _comment(gh: FakeGitHub, c: Comment) -> dict[str, Any]:
    out = gh.spec.example("pull-request-review-comment")
    out.update(
        id=c.id,
        path=c.path,
        body=c.body,
        commit_id=c.commit_id,
        original_commit_id=c.commit_id,
        line=c.line,
        original_line=c.line,
        url=gh._api(f"/pulls/comments/{c.id}"),
        pull_request_url=gh._api(f"/pulls/{gh.state.pull_number}"),
        subject_type="line" if c.line else "file",
    )
    for key in ("start_line", "original_start_line", "start_side"):
        out[key] = None
    out["position"] = out["original_position"] = c.line or 1
    out["side"] = "RIGHT"
    return out


def list_files(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    template = gh.spec.example("diff-entry-items")[0]
    out = []
    for path, patch in gh.state.diff.items():
        entry = copy.deepcopy(template)
        entry.update(filename=path, patch=patch, status="modified", sha=git_blob_sha(b""))
        out.append(entry)
    return 200, out


def list_comments(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    return 200, [_comment(gh, c) for c in gh.state.comments]


def create_review(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    new = []
    for item in body.get("comments") or []:
        line = item.get("line")
        if item.get("subject_type") != "file" and line not in gh.state.diff_lines(item["path"]):
            return 422, {
                "message": "Unprocessable Entity",
                "errors": ["Pull request review thread line must be part of the diff"],
                "documentation_url": "https://docs.github.com/rest",
            }
        new.append(Comment(gh.state.new_id(), item["path"], line, item["body"], body["commit_id"]))
    gh.state.comments += new
    review = gh.spec.example("pull-request-review")
    review.update(id=gh.state.new_id(), body=body.get("body", ""), commit_id=body["commit_id"])
    review["state"] = "COMMENTED"
    gh.state.reviews.append({"body": body.get("body", ""), "comments": len(new)})
    return 200, review


def edit_comment(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    comment = next((c for c in gh.state.comments if c.id == int(m.group(1))), None)
    if comment is None:
        return 404, _error("Not Found")
    comment.body = body["body"]
    return 200, _comment(gh, comment)


def get_tree(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    sha = m.group(1)
    if sha in gh.state.commits:
        sha = gh.state.commits[sha]["tree"]
    if sha not in gh.state.trees:
        return 404, _error("Not Found")
    out = gh.spec.example("git-tree-response-recursively-retrieving-a-tree")
    item = out["tree"][0]
    entries = []
    for path, blob in sorted(gh.state.trees[sha].items()):
        entry = copy.deepcopy(item)
        entry.update(path=path, sha=blob, type="blob", mode="100644")
        entry["size"] = len(gh.state.blobs[blob])
        entry["url"] = gh._api(f"/git/blobs/{blob}")
        entries.append(entry)
    out.update(sha=sha, url=gh._api(f"/git/trees/{sha}"), tree=entries, truncated=False)
    return 200, out


def get_blob(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    data = gh.state.blobs.get(m.group(1))
    if data is None:
        return 404, _error("Not Found")
    out = gh.spec.example("blob")
    out.update(
        sha=m.group(1),
        size=len(data),
        content=base64.b64encode(data).decode(),
        encoding="base64",
        url=gh._api(f"/git/blobs/{m.group(1)}"),
    )
    return 200, out


def create_tree(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    base = gh.state.trees.get(body.get("base_tree", ""), {})
    files = {path: gh.state.blobs[sha] for path, sha in base.items()}
    for entry in body["tree"]:
        if "content" in entry:
            files[entry["path"]] = entry["content"].encode("utf-8")
        elif entry.get("sha"):
            files[entry["path"]] = gh.state.blobs[entry["sha"]]
    sha = gh.state.add_tree(files)
    out = gh.spec.example("git-tree")
    out.update(sha=sha, url=gh._api(f"/git/trees/{sha}"))
    return 201, out


def create_commit(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    if body["tree"] not in gh.state.trees:
        return 422, _error("Tree SHA does not exist")
    sha = hashlib.sha1(f"{body['tree']}{body['parents']}{body['message']}".encode()).hexdigest()
    gh.state.commits[sha] = {
        "tree": body["tree"],
        "parents": body["parents"],
        "message": body["message"],
        "author": body.get("author"),
    }
    out = gh.spec.example("git-commit")
    out.update(sha=sha, message=body["message"], url=gh._api(f"/git/commits/{sha}"))
    out["tree"].update(sha=body["tree"], url=gh._api(f"/git/trees/{body['tree']}"))
    out["parents"] = [
        {"sha": p, "url": gh._api(f"/git/commits/{p}"), "html_url": f"https://github.com/c/{p}"}
        for p in body["parents"]
    ]
    return 201, out


def update_ref(gh: FakeGitHub, m: re.Match[str], q: Any, body: Any) -> tuple[int, Any]:
    ref = m.group(1)
    current = gh.state.refs.get(ref)
    if current is None:
        return 422, _error("Reference does not exist")
    new = body["sha"]
    if not body.get("force") and current not in gh.state.commits.get(new, {}).get("parents", []):
        return 422, _error("Update is not a fast forward")
    gh.state.refs[ref] = new
    out = gh.spec.example("git-ref")
    out.update(ref=f"refs/{ref}", url=gh._api(f"/git/refs/{ref}"))
    out["object"].update(sha=new, type="commit", url=gh._api(f"/git/commits/{new}"))
    return 200, out


ROUTES: list[tuple[str, str, Handler]] = [
    (r"/check-runs", "POST", create_check_run),
    (r"/check-runs/(\d+)", "PATCH", update_check_run),
    (r"/pulls/\d+/files", "GET", list_files),
    (r"/pulls/\d+/comments", "GET", list_comments),
    (r"/pulls/\d+/reviews", "POST", create_review),
    (r"/pulls/comments/(\d+)", "PATCH", edit_comment),
    (r"/git/trees/([0-9a-f]{40})", "GET", get_tree),
    (r"/git/blobs/([0-9a-f]{40})", "GET", get_blob),
    (r"/git/trees", "POST", create_tree),
    (r"/git/commits", "POST", create_commit),
    (r"/git/refs/(heads/.+)", "PATCH", update_ref),
]
