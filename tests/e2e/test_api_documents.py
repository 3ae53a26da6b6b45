"""Printed documents for API clients: the transfer order and the receipt and issue documents
as PDF, in the language the client prefers, with the API's errors for bad requests."""

import io

import pytest
from pypdf import PdfReader

from inventory.db import db
from inventory.stock import services as stock
from inventory.transfers import services as transfers

ROLES = ["admin", "bureau", "keeper", "keeper2", "planner", "auditor"]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def order(world):
    lot, _ = stock.receive(db.session, world.users["keeper"], depot="XZ-01", item="FW-WATER-5L",
                           quantity=20, lot_code="W-1", reference="CG-2026-001")
    return transfers.create(db.session, world.users["bureau"], from_depot="XZ-01",
                            to_depot="TS-01", lines=[{"lot": lot.id, "quantity": 5}])


@pytest.mark.parametrize("username", ROLES)
def test_every_role_downloads_the_transfer_order_and_the_receipt(client, world, order, username):
    response = client.get(f"/api/v1/transfers/{order.id}/order.pdf",
                          headers=world.headers(username))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = text_of(response.data)
    assert order.number in text and "县级救灾物资储备库（XZ-01）" in text and "W-1" in text
    receipt = client.get("/api/v1/documents/receipt.pdf?depot=XZ-01&reference=CG-2026-001",
                         headers=world.headers(username))
    assert receipt.status_code == 200 and "应急物资入库单" in text_of(receipt.data)


def test_a_client_that_prefers_english_gets_english_documents(client, world, order):
    response = client.get(f"/api/v1/transfers/{order.id}/order.pdf",
                          headers=world.headers("planner", **{"Accept-Language": "en"}))
    text = text_of(response.data)
    assert "Emergency supplies transfer order" in text and "Page 1 of 1" in text
    assert "应急物资调拨单" not in text


@pytest.mark.parametrize("path, status, code", [
    ("/api/v1/transfers/999/order.pdf", 404, "not_found"),
    ("/api/v1/documents/receipt.pdf?depot=XZ-01&reference=NO-SUCH", 404, "not_found"),
    ("/api/v1/documents/issue.pdf?depot=XZ-01&reference=CG-2026-001", 404, "not_found"),
    ("/api/v1/documents/receipt.pdf", 422, "invalid_input"),
    ("/api/v1/documents/receipt.pdf?movement=abc", 422, "invalid_input"),
    ("/api/v1/documents/receipt.pdf?depot=XZ-01&reference=CG%00", 422, "invalid_input"),
    ("/api/v1/documents/write-off.pdf?movement=1", 404, "not_found"),
])
def test_a_bad_document_request_gets_the_apis_error(client, world, order, path, status, code):
    response = client.get(path, headers=world.headers("auditor"))
    assert response.status_code == status, response.data
    assert response.json["code"] == code and response.json["message"]


def test_documents_need_a_token(client, world, order):
    response = client.get(f"/api/v1/transfers/{order.id}/order.pdf")
    assert response.status_code == 401 and response.json["code"] == "unauthorized"


def test_the_openapi_document_declares_the_pdfs(client, world):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ["/api/v1/transfers/{transfer_id}/order.pdf", "/api/v1/documents/{kind}.pdf"]:
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert list(content) == ["application/pdf"], path
