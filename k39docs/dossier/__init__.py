"""The dossier: its model (:mod:`.model`), reading it from YAML/JSON with each field's line (:mod:`.loader`), and the retirement dates the rules and papers use (:mod:`.retirement`)."""
