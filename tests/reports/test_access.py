"""A handler who holds no wrap of a report's key is refused the same way on every path that
reads or writes it, and the same way as for a report that does not exist."""

from __future__ import annotations

from tests import staff_kit, support

JSON = staff_kit.JSON
NOT_YOURS = "This report does not exist or is not yours to read."


def test_no_wrap_gets_one_refusal_on_every_read_path(services, client):
    owner = support.add_user(services, "owner")
    bert = support.add_user(services, "bert")
    staff_kit.channel(services, "gamma", ["owner"])
    staff_kit.channel(services, "beta", ["bert"])
    support.submit(client, "gamma", "GAMMACANARY the books", [("g.txt", b"gamma file")])
    report_id = staff_kit.report_id_of(services, "gamma")
    file_id = staff_kit.file_id_of(services, report_id)

    with staff_kit.browser(services) as intruder:
        csrf = support.token(support.staff_login(intruder, services, bert).text)

        def answers(target: str) -> list[tuple[int, dict]]:
            base = f"/staff/reports/{target}"
            return [
                (r.status_code, r.json())
                for r in (
                    intruder.get(base, headers=JSON),
                    intruder.get(f"{base}/files/{file_id}", headers=JSON),
                    intruder.get(f"{base}/export", headers=JSON),
                    intruder.post(f"{base}/notes", data={"csrf": csrf, "text": "x"}, headers=JSON),
                    intruder.post(f"{base}/reply", data={"csrf": csrf, "text": "y"}, headers=JSON),
                )
            ]

        refused = answers(report_id)
        missing = answers("0" * 32)

    expected = (404, {"error": "not_found", "message": NOT_YOURS})
    assert refused == [expected] * 5
    assert missing == refused, "a report held by others looks like one that does not exist"

    with staff_kit.browser(services) as handler:
        support.staff_login(handler, services, owner)
        page = handler.get(f"/staff/reports/{report_id}").text
    assert "GAMMACANARY" in page
    assert '<div class="text">x</div>' not in page and '<div class="text">y</div>' not in page
