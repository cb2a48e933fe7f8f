from audit_lib.masking import EMAIL_RE, mask_email, mask_row, pseudonym, scrub_text


def test_mask_email_keeps_domain():
    assert mask_email(" John.Doe@Acme.COM ") == "J***@acme.com"


def test_masked_email_is_not_an_email():
    assert EMAIL_RE.search(mask_email("jane@example.com")) is None


def test_pseudonym_stable_and_case_blind():
    assert pseudonym("Jane Doe") == pseudonym(" jane doe ")
    assert pseudonym("Jane Doe") != pseudonym("John Doe")
    assert pseudonym("Jane Doe").startswith("Person-")


def test_scrub_text_removes_email_and_phone():
    text = scrub_text("call +1 (415) 555-0100 or mail ann@corp.io")
    assert "555" not in text
    assert "ann@corp.io" not in text


def test_scrub_text_keeps_amounts_and_dates():
    assert scrub_text("$12,500.00 on 2025-03-01") == "$12,500.00 on 2025-03-01"


def test_mask_row_personal_columns():
    row = mask_row({"email": "a@b.co", "full_name": "Ann Lee", "amount": 5, "stage": "Won"})
    assert row["email"] == "a***@b.co"
    assert row["full_name"].startswith("Person-")
    assert row["amount"] == 5
    assert row["stage"] == "Won"


def test_mask_row_opt_in_shows_data():
    row = {"email": "a@b.co"}
    assert mask_row(row, show_personal_data=True) == row


def test_mask_row_pseudonymises_owner():
    row = mask_row({"owner_id": "Moses Frase", "manager": "Dustin Brinkmann"})
    assert row["owner_id"] == pseudonym("Moses Frase", "Seller")
    assert "Dustin" not in row["manager"]


def test_scrub_text_keeps_numeric_ids():
    assert scrub_text("20458713270") == "20458713270"
    assert scrub_text("campaign 612845378") == "campaign 612845378"


def test_mask_row_masks_phone_column():
    assert mask_row({"phone": "4155550100"})["phone"] == "[phone]"
