"""Office documents and scans: reading (text or OCR), extraction of the proposed event, review."""
