"""Gate: every page template type passes the Nu HTML validator with zero errors."""

import pytest

from tests.quality import pages_to_validate, short_list, validator_errors

# A page the validator must reject: proves each run really validated (and reports errors).
CANARY = '<!doctype html><html lang="vi"><head><title>canary</title></head><body><p><div></div></p></body></html>'


@pytest.mark.validator
@pytest.mark.parametrize("site", ["fixture_build", "real_build"])
def test_every_page_type_has_no_nu_validator_error(site, request, tmp_path):
    build = request.getfixturevalue(site)
    files, missing = pages_to_validate(build.output)
    assert not missing, f"no page of these template types in the {site} output (did a URL change?): {missing}"
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    try:
        errors = validator_errors([*files, canary], build.output)
    except RuntimeError as error:
        pytest.fail(str(error))
    assert any(canary.as_posix() in line for line in errors), "the validator did not report the canary's error"
    errors = [line for line in errors if canary.as_posix() not in line]
    assert not errors, f"Nu validator errors in {len(files)} pages of {site}:\n{short_list(errors)}"
