"""Models of the year-end assessment export arrive with its issue."""
