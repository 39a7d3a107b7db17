"""The shared face photos' layout (../shared/testdata/faces, see its labels.csv) and the one
enrolment photo of each named person, used by the recognition tests and
scripts/registry_accuracy.py so both measure the same enrolment."""

from __future__ import annotations

#: face_recognition's own test images and examples, relative to the faces folder
TI = "face_recognition/tests/test_images/"
EX = "face_recognition/examples/"

#: The enrolment photo of each of face_recognition's people (the Johns: their first crop
#: that passes the enrolment gate); every other single-face photo of theirs is a search.
ENROL = {
    "obama": TI + "obama.jpg",
    "biden": TI + "biden.jpg",
    "alex_lacamoire": EX + "knn_examples/train/alex_lacamoire/img1.jpg",
    "kit_harington": EX + "knn_examples/train/kit_harington/john1.jpeg",
    "rose_leslie": EX + "knn_examples/train/rose_leslie/img1.jpg",
    "lin_manuel_miranda": EX + "lin-manuel-miranda.png",
}
