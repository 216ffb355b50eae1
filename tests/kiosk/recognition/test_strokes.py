from kiosk.recognition.strokes import MAX_STROKES, Ink


def test_strokes_grow_end_undo_and_clear():
    ink = Ink()
    assert ink.is_empty
    ink.begin(1, 2)
    ink.extend(3, 4)
    ink.extend(3, 4)  # a repeated point adds nothing
    ink.end()
    ink.extend(9, 9)  # no finger down: ignored
    ink.begin(5, 5)
    ink.end()
    assert ink.copy_strokes() == [[(1.0, 2.0), (3.0, 4.0)], [(5.0, 5.0)]]
    ink.undo()
    assert ink.copy_strokes() == [[(1.0, 2.0), (3.0, 4.0)]]
    ink.clear()
    assert ink.is_empty and not ink.is_drawing


def test_non_finite_points_and_too_many_strokes_are_refused():
    ink = Ink()
    ink.begin(float("nan"), 1)
    assert ink.is_empty
    for i in range(MAX_STROKES + 50):
        ink.begin(i, i)
        ink.end()
    assert len(ink.strokes) == MAX_STROKES
