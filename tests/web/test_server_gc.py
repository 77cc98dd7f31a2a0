"""`cxtrain serve`'s workers freeze what the app loaded, so full collections skip it; preview's does not."""

from __future__ import annotations

import gc

from cxtrain.web.server import Server, freeze_loaded_objects, options


def test_serve_s_workers_freeze_the_loaded_app_and_preview_s_worker_does_not() -> None:
    served = Server(lambda: None, options("127.0.0.1", 0, 3))
    assert served.cfg.post_worker_init is freeze_loaded_objects
    # cxtrain preview replaces its library at every save: frozen, the old ones would never be freed.
    preview = Server(lambda: None, options("127.0.0.1", 0, 1, 4, preload_app=True, post_worker_init=None))
    assert preview.cfg.post_worker_init is not freeze_loaded_objects


def test_the_hook_moves_every_tracked_object_out_of_the_collector_s_reach() -> None:
    loaded = [{"a parsed module": i} for i in range(10_000)]
    before = gc.get_freeze_count()
    try:
        freeze_loaded_objects(None)
        assert gc.get_freeze_count() >= before + len(loaded)
        assert not any(x is loaded for x in gc.get_objects())  # a full collection no longer walks it
    finally:
        gc.unfreeze()
