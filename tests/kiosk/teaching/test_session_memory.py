"""The in-session memory: what this visitor taught comes back for drawings like it, and only those."""
import numpy as np

from kiosk.recognition.preprocess import strokes_to_image
from kiosk.teaching.session_memory import SessionMemory


def one(lean=0.0):
    return strokes_to_image([[(100 + lean * t, 50 + 300 * t) for t in np.linspace(0, 1, 30)]])


def seven():
    return strokes_to_image([[(100, 50), (250, 50), (150, 350)]])


def test_a_taught_drawing_comes_back_for_one_like_it_and_not_for_another():
    memory = SessionMemory()
    assert memory.recall(one()) is None, "nothing taught, nothing recalled"
    memory.teach(one(), 7)
    digit, similarity = memory.recall(one(lean=15))
    assert digit == 7 and similarity > 0.9
    assert memory.recall(seven()) is None, "a different shape is the model's to answer"


def test_forget():
    memory = SessionMemory(capacity=5)
    for digit in range(5):
        memory.teach(one(lean=digit * 40), digit)
    assert len(memory) == 5 and memory.recall(one(lean=160))[0] == 4
    memory.forget()
    assert len(memory) == 0 and memory.recall(one()) is None


def test_one_visitor_teaches_a_handful_of_lessons_at_most():
    memory = SessionMemory()
    for digit in range(20):  # a prankster's twenty wrong lessons
        memory.teach(one(lean=digit * 8), digit % 10)
    assert len(memory) <= 5


def test_a_visitor_who_teaches_more_than_a_handful_is_remembered_for_none():
    memory = SessionMemory(capacity=3)
    for digit in range(3):
        memory.teach(one(lean=digit * 40), digit)
    assert len(memory) == 3, "a handful: kept"
    memory.teach(seven(), 9)
    assert len(memory) == 0 and memory.recall(one()) is None
    memory.teach(seven(), 9)
    assert len(memory) == 0, "and no more from this visitor"
    memory.forget()  # the next visitor
    memory.teach(seven(), 9)
    assert memory.recall(seven())[0] == 9


def test_the_same_drawing_corrected_again_replaces_its_lesson():
    memory = SessionMemory()
    for digit in (7, 7, 7, 4):  # Go -> No -> 7, again and again, then 4, on one drawing
        memory.teach(one(), digit, drawing=3)
    assert len(memory) == 1 and memory.recall(one())[0] == 4
    memory.teach(seven(), 1, drawing=4)
    assert len(memory) == 2, "another drawing is another lesson"


def test_a_lesson_not_used_for_a_few_drawings_is_forgotten():
    memory = SessionMemory(life_drawings=3)
    memory.teach(one(), 7)
    for _ in range(3):
        memory.next_drawing()
    assert memory.recall(one(lean=10))[0] == 7, "used on the third drawing after it: kept, and used again"
    for _ in range(3):
        memory.next_drawing()
    assert len(memory) == 1
    memory.next_drawing()
    assert len(memory) == 0 and memory.recall(one()) is None, "four drawings without it: the writer moved on"
