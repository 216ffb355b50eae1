"""See inside its brain: what a digit model does with the child's drawing, layer by layer, pygame-free.

brain (a model file read into the kiosk's numpy engine, and one look at a drawing: every layer's lights,
the votes, what it looks for), mattered (which parts of the drawing made the answer), story (what the Learn
view shows and says when, on an injected clock). The screens only lay out and draw what these give them.

May import: errors, recognition (the preprocessing, the model contract), learning (the engine, ONNX reading).
"""
