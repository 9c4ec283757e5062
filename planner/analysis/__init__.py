"""Analysis: the study, accessibility, floating catchments, scenarios, mobile units, comparison."""
