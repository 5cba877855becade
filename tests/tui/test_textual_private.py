"""The private Textual hooks screens/textual_private.py relies on still exist, with the signatures
it mirrors: a Textual upgrade that renames or reshapes one fails here, not silently in use (a
masked input that shows the value's length, a crash that prints a secret in its locals)."""

from __future__ import annotations

import inspect

from textual.app import App
from textual.message_pump import MessagePump
from textual.widgets import Input

from screens import textual_private


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_the_pinned_textual_is_the_one_mirrored() -> None:
    from importlib.metadata import version

    assert version("textual") == "8.2.8", "re-check screens/textual_private.py, then this pin"


def test_app_fatal_error_is_a_method_without_arguments() -> None:
    assert inspect.isfunction(App._fatal_error)
    assert _parameters(App._fatal_error) == ["self"]


def test_the_app_collects_exit_renderables_in_a_list() -> None:
    app = App()
    assert app._exit_renderables == []


def test_close_messages_no_wait_takes_no_arguments() -> None:
    assert App._close_messages_no_wait is MessagePump._close_messages_no_wait
    assert _parameters(MessagePump._close_messages_no_wait) == ["self"]


def test_input_value_is_the_property_render_and_width_read() -> None:
    assert isinstance(inspect.getattr_static(Input, "_value"), property)
    for reader in (Input.render_line, Input.content_width.fget):
        assert "self._value" in inspect.getsource(reader)


def test_input_on_paste_takes_the_paste_event() -> None:
    assert _parameters(Input._on_paste) == ["self", "event"]


def test_every_hook_named_is_checked() -> None:
    for name in textual_private.APP_HOOKS:
        assert hasattr(App, name)
    for name in textual_private.INPUT_HOOKS:
        assert hasattr(Input, name)


def test_a_byte_that_is_not_utf8_on_stdin_is_replaced_not_fatal() -> None:
    """Issue 13: one 0xff byte on stdin killed the console (strict decoder in Textual's input
    thread). The drivers still look the decoder up through the module global we replace."""
    from textual.drivers import linux_driver, linux_inline_driver

    from screens.textual_private import tolerate_undecodable_input

    for module in (linux_driver, linux_inline_driver):
        assert callable(module.getincrementaldecoder)  # the hook point still exists
    tolerate_undecodable_input()
    for module in (linux_driver, linux_inline_driver):
        decode = module.getincrementaldecoder("utf-8")().decode
        assert decode(b"\xffq", final=False) == "\ufffdq"
