"""Outputs: the same `Result` rendered for the terminal (rich), as JSON, as the Excel
workbook, and recorded in the history store. They compute nothing new."""
