"""What readers see: sentences, tables, charts and masking, made from ``Findings``."""
