"""The Nghị định 30/2020 layout: its numbers (:mod:`.layout`), measuring text in its fonts (:mod:`.fonts`), and the checker of a document against it (:mod:`.checkformat`)."""
