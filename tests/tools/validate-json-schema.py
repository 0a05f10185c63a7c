#!/usr/bin/python3
"""Validate JSON documents against a JSON schema whose $refs point to files beside it.

Usage: validate-json-schema.py SCHEMA DOCUMENT...   (DOCUMENT "-" reads standard input)

Exits 0 when every document is valid, 1 when one is not (each error is printed as
"DOCUMENT: PATH: MESSAGE"), and 2 on bad usage or an unreadable file.
"""

import json
import pathlib
import sys

import jsonschema


def load_validator(schema_path):
    schema_path = pathlib.Path(schema_path).resolve()
    with schema_path.open(encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    # Relative references such as "defs.json#/definitions/uint32" resolve against the
    # schema's own directory, so the base URI is the schema file's URI.
    resolver = jsonschema.RefResolver(base_uri=schema_path.as_uri(), referrer=schema)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, resolver=resolver)


def load_document(name):
    if name == "-":
        return json.load(sys.stdin)
    with open(name, encoding="utf-8") as document_file:
        return json.load(document_file)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        validator = load_validator(argv[1])
        documents = [(name, load_document(name)) for name in argv[2:]]
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    valid = True
    for name, document in documents:
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
            location = "/".join(str(part) for part in error.absolute_path) or "(document)"
            print(f"{name}: {location}: {error.message}")
            valid = False
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
