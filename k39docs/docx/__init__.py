"""Word files: filling the DOCX templates (:mod:`.writer`) and the WordprocessingML helpers the rest shares (:mod:`.wordml`)."""
