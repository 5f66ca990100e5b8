"""files.*: the two-step external upload (an upload URL, then completing the share) and
files.info."""

from __future__ import annotations

import copy
import json
import mimetypes
import time
from typing import Any
from urllib.parse import quote

from bot.fake_slack.model import PERMALINK_BASE, SlackError, id_list, invalid_arguments
from bot.fake_slack.state import SlackState


class FilesApi(SlackState):
    def _files_get_upload_url_external(
        self, p: dict[str, Any], token: str | None
    ) -> dict[str, Any]:
        filename = p.get("filename")
        if not filename:
            raise invalid_arguments("filename")
        try:
            length = int(p.get("length", ""))
        except (TypeError, ValueError):
            raise invalid_arguments("length") from None
        file_id = self._new_id("F")
        self._pending_files[file_id] = {
            "filename": str(filename),
            "length": length,
            "alt_txt": p.get("alt_txt"),
            "snippet_type": p.get("snippet_type"),
        }
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(
        self, p: dict[str, Any], token: str | None
    ) -> dict[str, Any]:
        files = p.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                raise invalid_arguments("files") from None
        if not isinstance(files, list) or not files:
            raise invalid_arguments("files")
        channel_id = p.get("channel_id") or None
        targets = ([channel_id] if channel_id else []) + id_list(p.get("channels"))
        shared_in = [self._postable(ref).id for ref in targets]
        objs: list[dict[str, Any]] = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            if not file_id or file_id not in self._pending_files or file_id not in self.uploads:
                raise SlackError("file_not_found")
            pending = self._pending_files[file_id]
            name = pending["filename"]
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            obj: dict[str, Any] = {
                "id": file_id,
                "created": int(time.time()),
                "timestamp": int(time.time()),
                "name": name,
                "title": item.get("title") or name,
                "mimetype": mimetype,
                "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
                "user": self.bot_user_id,
                "user_team": self.team_id,
                "size": len(self.uploads[file_id]),
                "mode": "hosted",
                "is_external": False,
                "is_public": any(c.startswith("C") for c in shared_in),
                "url_private": f"{self.base_url}/files/{file_id}/{quote(name)}",
                "permalink": f"{PERMALINK_BASE}/files/{self.bot_user_id}/{file_id}/{quote(name)}",
                "channels": [c for c in shared_in if c.startswith("C")],
                "groups": [c for c in shared_in if c.startswith("G")],
                "ims": [c for c in shared_in if c.startswith("D")],
            }
            if pending.get("alt_txt"):
                obj["alt_txt"] = pending["alt_txt"]
            self._files[file_id] = obj
            objs.append(obj)
        self.file_shares.append(
            {
                "channel_id": channel_id,
                "channels": shared_in,
                "initial_comment": p.get("initial_comment"),
                "thread_ts": p.get("thread_ts") or None,
                "files": copy.deepcopy(objs),
            }
        )
        return {"files": copy.deepcopy(objs)}

    def _files_info(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        obj = self._files.get(str(p.get("file") or ""))
        if obj is None:
            raise SlackError("file_not_found")
        return {"file": copy.deepcopy(obj)}
