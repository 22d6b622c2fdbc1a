"""The embedded sample (illustrative data) and `mel demo`."""
