"""The read API (/api/v1/): the reading pages' listings as JSON, through the same query
objects (reading.queries) and the same visibility rules, and annotations in the W3C Web
Annotation format for clients that ask for it."""
