"""The data page (page.py writes it): what it shows read from the published warehouse (content.py), its charts'
specifications (charts.py), and how a figure, a unit and a period are written (wording.py)."""
