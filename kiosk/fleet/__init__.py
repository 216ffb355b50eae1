"""Many kiosks, one brain: kiosks share their labelled drawings and health with a hub over Syncthing, and take
the models the hub signs.

Lives here: paths (the fleet's folders in the data dir), signing (ed25519 keys, the signed model bundle, its
verification), outbox (a kiosk's labelled drawings, mirrored for sending), health (the small health file),
receive (verify a model the hub published, then hand it to promotion), pool (the hub gathers every kiosk's
drawings, a prank burst judged per kiosk), hub (the pooled nightly retrain, publish, fleet-wide rollback),
report (the grown-ups' offline HTML page, SVG plots), syncthing (configure the local Syncthing through its REST
API), command (`digit-kiosk fleet ...`).
Syncthing moves the files; nothing here opens a socket except to the local Syncthing's REST API on loopback.
May import: errors, atomic_write, config, recognition, learning, retraining, teaching. Never pygame, a screen,
ui, torch or the trainer.
"""
