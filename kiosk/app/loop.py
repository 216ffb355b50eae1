"""App: the clock, the one loop and screen switching; routes input to the current screen."""

from __future__ import annotations

import logging
import math
import os
import time
import traceback
from dataclasses import replace
from pathlib import Path

import pygame

from kiosk.app.display import open_display
from kiosk.app.grown_ups_corner import GrownUpsCorner
from kiosk.app.options import LaunchOptions
from kiosk.app.replay_input import post_replay_event
from kiosk.app.visitor_model import VisitorModel
from kiosk.app.window_keeper import WindowKeeper
from kiosk.config import DEFAULT_PIN, KioskConfig
from kiosk.errors import ConfigError
from kiosk.event_log import EventLog
from kiosk.input import PointerTranslator
from kiosk.language.phrases import Phrases
from kiosk.recognition import explorer_grid
from kiosk.recognition.model_files import ModelWatcher, load_recognizers
from kiosk.replay import ReplayEvent
from kiosk.screens.admin import PinScreen
from kiosk.screens.base import EXIT
from kiosk.screens.draw import DrawScreen
from kiosk.screens.examples import ExamplesScreen
from kiosk.screens.explore import ExploreScreen
from kiosk.screens.frame import lay_out_frame
from kiosk.screens.game import GameScreen
from kiosk.screens.learn import LearnScreen
from kiosk.screens.pin_lockout import PinLockout
from kiosk.screens.train import TrainScreen
from kiosk.service import SystemdNotifier
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.teaching.status import TeachingStatus, teaching_status
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import NavBar
from kiosk.voice.audio_out import AudioOut
from kiosk.voice.clips import VoiceClips
from kiosk.voice.live import LiveVoice
from kiosk.voice.speaker import Speaker, VoiceSpeaker, speak

log = logging.getLogger(__name__)
ATTRACT_FPS = 10  # a gentle animation; at 15 the loop took up to 3.15% of a core on a real X display (target 3%)
MAX_FRAME_MS = 60_000  # one frame never advances time by more than this, whatever the clock did
HEALTH_EVERY_MS = 60_000
# Settings a SIGHUP applies at once; the others need a restart.
LIVE_SETTINGS = (
    "auto_recognize_delay_ms",
    "idle_timeout_s",
    "fps_active",
    "fps_idle",
    "volume",
    "muted",
    "attract_voice_per_hour",
)
# The grown-ups' exit: the unit's RestartPreventExitStatus, so leaving sticks (a crash or a kill still restarts).
EXIT_BY_ADMIN = 10
ON_THE_CHILDS_DRAWING = ("settings", "learn", "full_training")  # screens that answer the child's own drawing
RELOAD_AFTER_IDLE_MS = 1000  # a new model is switched in only when nobody has touched the screen for this long


def resident_mb() -> float:
    """This process's resident memory (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def build_speaker(config: KioskConfig, phrases: Phrases) -> Speaker:
    """Cached clips first, the live voice for anything else, silence when there is no audio device."""
    return VoiceSpeaker(
        phrases,
        AudioOut(config.volume),
        VoiceClips(config.voice_dir_path),
        LiveVoice(
            timeout_s=config.speech_timeout_s, folder=config.data_dir_path / "speech"
        ),  # all writes in the data dir
        muted=config.muted,
    )


class App:
    """The kiosk: one loop, one current screen."""

    def __init__(self, config: KioskConfig, options: LaunchOptions):
        self.config, self.options = config, options
        self.started = time.perf_counter()
        self.surface = open_display(options)
        self.theme = Theme(*self.surface.get_size())
        self.translator = PointerTranslator(self.surface.get_size())
        self.recognizers = load_recognizers(config)  # shared by the screens: replaced in place on a reload
        self.model_watcher = ModelWatcher(config)
        self.phrases = Phrases(config.language)
        self.speaker = build_speaker(config, self.phrases)
        self.now_ms = 0.0  # the kiosk's clock: frame time since start (a replay's clock in a replay)
        self.events = EventLog(options.events_out, clock=lambda: self.now_ms / 1000)
        self.feedback_store = (
            FeedbackStore(config.feedback_dir, config.feedback_max_records) if config.collect_feedback else None
        )
        self.screen = self._new_draw_screen()
        self.screens = self._new_screens()
        self.corner = GrownUpsCorner(self.theme.admin_zone)
        # Super+D, a panel or a compositor may hide the kiosk: it comes back (a --windowed one is the desktop's)
        self.window_keeper = None if options.windowed else WindowKeeper(fullscreen=not options.headless)
        self.visitor_model = VisitorModel(self.recognizers)  # "Try my brain"
        if config.admin_pin == DEFAULT_PIN:
            log.warning(
                "the grown-ups' PIN is still the built-in %s: set admin_pin in the settings file "
                "(scripts/install_pi.sh gives every install its own)",
                DEFAULT_PIN,
            )
        self.systemd = SystemdNotifier()  # READY and watchdog pings when run as a systemd service
        self.clock = pygame.time.Clock()
        self.running, self.exit_code = True, 0
        self._quits_ignored = 0
        self._error_repeats: tuple = (None, 0)  # the last error inside a screen, and how often it came again
        self.now_ms, self.idle_ms, self.frames = 0.0, 0.0, 0
        self._idle_reset_done = False  # the idle reset ran in this quiet spell (the next touch ends it)
        self._replay: list[ReplayEvent] = list(options.replay or [])
        self._next_health_ms = HEALTH_EVERY_MS
        self._reload_settings_asked = False

    def _new_screens(self) -> dict:
        """Every screen by its tab's name; the draw screen is self.screen."""
        config = self.config
        frame = lay_out_frame(self.theme, self.phrases)  # the tabs and the panel every screen shares
        nav, panel = frame.nav, frame.panel
        return {
            "draw": self.screen,
            # The Settings tab: the child trains a network live (the precomputed grid stays in ExploreScreen).
            "settings": TrainScreen(
                self.theme, nav, panel, self.phrases, say=self.say, data_folder=config.data_dir_path / "live",
                say_next=lambda phrase_id: self.speaker.say_next(phrase_id, self.phrases.lang),
            ),
            # "What a full training gives": the precomputed grid, for comparison, one tap from the training
            "full_training": ExploreScreen(
                explorer_grid.load(config.model_dir_path), self.theme, nav, panel, self.phrases
            ),
            "examples": ExamplesScreen(
                self.recognizers, self.theme, nav, panel, self.phrases, self.say, canvas_side=frame.canvas.width
            ),
            # "Can you draw a 5?": rounds of a game, its drawings kept when read as the digit asked
            "game": GameScreen(
                self.recognizers, self.theme, frame, self.phrases, self.say, self.events, self.feedback_store,
                say_next=lambda phrase_id: self.speaker.say_next(phrase_id, self.phrases.lang),
            ),
            "learn": LearnScreen(self.recognizers, self.theme, nav, self.phrases, self._teaching_status, say=self.say),
            "admin": PinScreen(
                config.admin_pin, self.theme, self.phrases, PinLockout(config.data_dir_path / "pin_lockout.json")
            ),
        }

    def _new_draw_screen(self) -> DrawScreen:
        screen = DrawScreen(
            self.recognizers,
            self.speaker,
            self.theme,
            self.config.auto_recognize_delay_ms,
            self.events,
            self.phrases,
            self.feedback_store,
        )
        screen.configure(self.config)
        screen.session.visitor.listen(self._new_visitor)  # a new visitor: the last one's brain goes too
        return screen

    def _new_visitor(self, sign: str) -> None:
        if self.visitor_model.answering:
            self.visitor_model.swap_out()
            self.events.write(type="models", visitor=False, sign=sign)

    def _teaching_status(self) -> TeachingStatus | None:
        store = self.feedback_store
        return teaching_status(store, self.config.data_dir_path) if store is not None else None

    def say(self, phrase_id: str, **values) -> None:
        """Speak a phrase in the current language and log where the sound came from."""
        speak(self.speaker, self.phrases, self.events, phrase_id, **values)

    def reload_models(self) -> bool:
        """Switch to a newly promoted model file if there is a valid one; True if it switched."""
        if self.visitor_model.answering:
            return False  # a visitor's own model is answering: the new file waits for the next visitor
        updated = self.model_watcher.check(self.recognizers)
        if updated is None:
            return False
        self.recognizers[:] = updated
        self.events.write(
            type="models", versions={r.kind: r.version for r in updated}, paths={r.kind: str(r.path) for r in updated}
        )
        return True

    def switch_language(self) -> None:
        """The next language: every screen reads its words afresh, and the voice greets in it."""
        lang = self.phrases.next_language()
        log.info("language: %s", lang)
        self.events.write(type="language", lang=lang)
        self.screens["draw"].session.visitor.new_visitor("language")  # the last child's lessons are not theirs
        self.say("language.hello")

    def _switch_if_asked(self) -> None:
        # Screens ask with a typed transition; the App hands over one explicit value (a drawing).
        transition = self.screen.take_transition()
        if transition is None:
            return
        if transition.target == NavBar.LANGUAGE:
            self.switch_language()
            return
        if transition.target == EXIT:
            log.info("stopped by the admin PIN")
            self.running, self.exit_code = False, EXIT_BY_ADMIN
            return
        # These always work on the child's own drawing, whichever tab led there.
        strokes = self.screens["draw"].handover() if transition.target in ON_THE_CHILDS_DRAWING else transition.strokes
        if transition.model_path is not None:
            self.try_visitor_model(transition.model_path)
        self.switch_to(transition.target, strokes)

    def switch_to(self, name: str, strokes: list | None = None) -> None:
        """Leave the current screen and enter the one named (the draw screen for an unknown name)."""
        self.screen.leave()  # e.g. a live training stops when the child walks away from it
        if name == "game":  # a game starts: whoever plays it, the last drawings' lessons and brain are not theirs
            self.screens["draw"].session.visitor.new_visitor("game")
        self.screen = self.screens.get(name, self.screens["draw"])
        self.screen.enter(strokes)

    def try_visitor_model(self, path) -> None:
        """The draw screen answers with the model a visitor just trained, until switched back or idle."""
        visitor = self.visitor_model.swap_in(path)
        if visitor is not None:
            self.events.write(type="models", visitor=True, kind=visitor.kind)

    def run(self) -> int:
        """The loop: frames until stopped. Returns the exit code."""
        done_at_ms = None
        while self.running:
            # Smooth while someone draws or something moves; a few frames a second otherwise, so an
            # unattended kiosk keeps its CPU (and the Pi) cool. Headless time is simulated.
            fps = self.frame_rate()
            self.frame(1000.0 / fps if self.options.headless else float(self.clock.tick(fps)))
            if self.options.exit_when_done and not self._replay:
                done_at_ms = done_at_ms or self.now_ms + self.config.auto_recognize_delay_ms + 200
                if self.now_ms >= done_at_ms:
                    self.running = False
        self.systemd.stopping()
        self.events.close()
        self.speaker.close()
        pygame.quit()
        return self.exit_code

    def frame_rate(self) -> int:
        if self.idle_ms < 2000 or self._replay:
            return self.config.fps_active
        if self.screen.animating:
            return min(self.config.fps_active, ATTRACT_FPS)
        return self.config.fps_idle

    def frame(self, dt_ms: float) -> None:
        """One turn of the loop: input -> screen.handle; update; draw; flip. dt_ms may be anything
        (a suspended Pi wakes up hours later; a stalled clock gives 0)."""
        dt_ms = min(max(float(dt_ms), 0.0), MAX_FRAME_MS)
        self.now_ms += dt_ms
        while self._replay and self._replay[0].t * 1000 <= self.now_ms:
            post_replay_event(self._replay.pop(0), self.screens["draw"], self.surface.get_size())
        if self._drain_events():
            self.idle_ms, self._idle_reset_done = 0.0, False
        else:
            self.idle_ms += dt_ms
        self._watch_corner(dt_ms)
        if self.window_keeper is not None and self.window_keeper.update(dt_ms, self.events):
            self.surface = pygame.display.get_surface() or self.surface  # fullscreen again may give a new one
        # Idle always wins, whatever moves (a training nobody watches any more): once per quiet spell.
        if self.idle_ms >= 1000 * self.config.idle_timeout_s and not self._idle_reset_done:
            self._idle_reset_done = True
            self._start_attract()
        self._guarded(lambda: self.screen.update(dt_ms))
        self.screens["admin"].count_down(dt_ms)
        self._guarded(self.speaker.update)
        if self.idle_ms >= RELOAD_AFTER_IDLE_MS and not self.translator.active:
            self._guarded(self.reload_models)
        if self._reload_settings_asked:
            self._reload_settings_asked = False
            self._guarded(self.reload_settings)
        self._guarded(self._switch_if_asked)
        self._guarded(lambda: self.screen.draw(self.surface))
        pygame.display.flip()
        self.systemd.ping()  # only a loop that still turns pings: a hang gets the kiosk restarted
        self.frames += 1
        if self.frames == 1:
            log.info("first frame after %.0f ms", 1000 * (time.perf_counter() - self.started))
            self.systemd.ready()
        if self.now_ms >= self._next_health_ms:
            self._next_health_ms = self.now_ms + HEALTH_EVERY_MS
            self._health()

    def _health(self) -> None:
        # A line now and then that says the kiosk is alive and how big it is: a slow leak shows here.
        rss = resident_mb()
        log.info("alive: %d frames, %.1f MB resident", self.frames, rss)
        self.events.write(
            type="health", frames=self.frames, rss_mb=round(rss, 2), uptime_s=round(self.now_ms / 1000, 1)
        )

    def ask_reload_settings(self, *_signal) -> None:
        """SIGHUP: re-read the settings file at the next frame (never inside the signal handler)."""
        self._reload_settings_asked = True

    def reload_settings(self) -> bool:
        """Apply a changed settings file; a broken one is logged and the current settings stay."""
        path = self.options.config_path
        try:
            fresh = KioskConfig.load(path)
        except ConfigError as error:
            log.error("settings not reloaded, keeping the current ones: %s", error)
            self.events.write(type="settings", reloaded=False, error=str(error))
            return False
        # What can change without a restart; the rest (models, paths, PIN) waits for the next start.
        self.config = replace(self.config, **{key: getattr(fresh, key) for key in LIVE_SETTINGS})
        self.speaker.set_volume(fresh.volume, fresh.muted)
        for screen in self.screens.values():
            screen.configure(self.config)
        log.info("settings reloaded from %s", path)
        self.events.write(type="settings", reloaded=True)
        return True

    def _watch_corner(self, dt_ms: float) -> None:
        if self.corner.held(dt_ms):
            self.translator.cancel()
            self.switch_to("admin")  # the drawing stays: the corner is outside the canvas

    def _start_attract(self) -> None:
        # A fresh start for every visitor: the last one's language, tab, model and settings go too.
        log.info("idle: clearing the drawing and inviting the next child")
        self.phrases.set_language(self.config.language)
        self.switch_to("draw")
        for screen in self.screens.values():
            screen.reset()  # the settings, the grid's choice, the drawing, its lessons and the visitor's brain
        self.screen.start_attract()
        self.events.write(type="idle", lang=self.phrases.lang)

    def _quit_asked(self) -> None:
        """A window close (Alt+F4 mapped by a compositor, a desktop's logout) ends a window, never the kiosk."""
        if self.options.windowed or self.options.headless:
            self.running = False
            return
        self._quits_ignored += 1
        if self._quits_ignored == 1:  # once: a child pressing Alt+F4 a hundred times must not fill the log
            log.warning("ignored a request to quit from the desktop: only the grown-ups' exit (PIN) ends the kiosk")

    def _drain_events(self) -> bool:
        """Hand this frame's input to the screen; True if there was any."""
        busy = False
        for event in pygame.event.get():
            if self.window_keeper is not None and self.window_keeper.notice(event):
                continue
            if event.type == pygame.QUIT:
                self._quit_asked()
            elif event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE and self.options.windowed:
                self.running = False
            if event.type in (pygame.AUDIODEVICEADDED, pygame.AUDIODEVICEREMOVED) and not getattr(
                event, "iscapture", 0
            ):
                self._guarded(
                    lambda added=event.type == pygame.AUDIODEVICEADDED: self.speaker.audio_device_changed(added)
                )
                continue
            pointer = self.translator.translate(event)
            if pointer is not None:
                busy = True
                self.corner.track(pointer)
                self._guarded(lambda: self.screen.handle(pointer))
        return busy

    def _guarded(self, action) -> None:
        # A bug inside a screen must not kill an unattended kiosk: log it, start the screen afresh.
        try:
            action()
        except Exception as error:  # the one place that catches everything
            # The same error every frame would write a traceback 60 times a second (783 KB of log in 5 s
            # once): the first one in full, then a count at 10, 100, 1000... of the same.
            where = traceback.extract_tb(error.__traceback__)[-1]
            signature = (type(error).__name__, str(error), where.filename, where.lineno)
            repeats = self._error_repeats[1] + 1 if self._error_repeats[0] == signature else 0
            self._error_repeats = (signature, repeats)
            if repeats == 0:
                log.exception("error inside the screen; back to a fresh drawing screen")
            elif repeats >= 10 and math.log10(repeats).is_integer():
                log.error("the same error inside the screen again (%d times): %s: %s", repeats, *signature[:2])
            self.translator.cancel()
            self.screen = self.screens["draw"] = self._new_draw_screen()
