"""The face pipeline: detect, choose a face, check quality, encode, match; calibration.

Import the pieces from their modules (``recognition.engine.FaceEngine``,
``recognition.index.TemplateIndex`` ...); importing this package loads no model.
"""
