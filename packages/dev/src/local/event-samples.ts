import { almaEventPayload } from "@alma-webhooks/core/testing";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { type SamplePayload, samplesOf } from "./pipelines.js";

// One sample per kind of webhook Alma sends, to try a forward route (ALMA_FORWARD_<ROUTE>_*) without writing
// a body by hand. The envelopes are Alma's: id, action, institution {value, desc}, time, event {value, desc},
// and the record under the key Alma uses (item_loan, user_request, webhook_user, bib, item, notification).

/** The BIB webhook in the shape of a real one (Alma's BIB_UPDATED, with the fields older payloads set null). */
const BIB = {
  action: "BIB",
  bib: {
    anies: [
      '<?xml version="1.0" encoding="UTF-16"?><record><leader>01154cam a22002774a 4500</leader><controlfield tag="001">991281420000541</controlfield><datafield ind1="1" ind2="0" tag="245"><subfield code="a">Homo politicus :</subfield></datafield></record>',
    ],
    author: "Milbank, Dana.",
    cataloging_level: { desc: "Default Level", value: "00" },
    complete_edition: "1st ed.",
    created_by: "import",
    created_date: "2011-12-17Z",
    date_of_publication: "c2008.",
    holdings: { link: "/almaws/v1/bibs/991281420000541/holdings", value: "" },
    isbn: "9780385517508",
    issn: null,
    last_modified_by: "AlmaAdmin",
    last_modified_date: "2020-12-11Z",
    link: null,
    linked_record_id: { type: null, value: "" },
    mms_id: "991281420000541",
    network_number: ["14842876"],
    originating_system: "ILS",
    place_of_publication: "New York :",
    publisher_const: "Doubleday,",
    record_format: "marc21",
    requests: null,
    suppress_from_external_search: "false",
    suppress_from_publishing: "false",
    sync_with_oclc: "NONE",
    title: "Homo politicus : the strange and barbaric tribes of the beltway /",
  },
  event: { desc: "BIB record updated", value: "BIB_UPDATED" },
  holding: null,
  id: "878675682111310790",
  institution: { desc: "Princeton University", value: "01PRI_INST" },
  item: null,
  portfolio: null,
  representation: null,
  time: "2020-12-11T16:19:20.552Z",
};

const PRINCETON = { institution: { value: "01PRI_INST", desc: "Princeton University" } };

/** The kinds, in the order `samples` writes them. */
export const EVENT_KINDS = ["LOAN", "REQUEST", "USER", "BIB", "ITEM", "NOTIFICATION", "JOB_END"] as const;

const bytesOf = (payload: unknown): Buffer => Buffer.from(`${JSON.stringify(payload, null, 2)}\n`);

/**
 * One sample per kind: LOAN (LOAN_CREATED), REQUEST, USER, BIB, ITEM, NOTIFICATION, all of Princeton's
 * institution (01PRI_INST), and JOB_END (the first plugin's first sample, which starts its pipeline).
 * `--sample LOAN` sends the LOAN one.
 *
 * @example
 * ```ts
 * eventSamples().map((s) => s.name); // ["loan.json", "request.json", ..., "job_end.json"]
 * ```
 */
export function eventSamples(): SamplePayload[] {
  return EVENT_KINDS.map((kind) => {
    const payload =
      kind === "BIB"
        ? BIB
        : kind === "JOB_END"
          ? (deployedPlugins.map(samplesOf).find((samples) => samples.length > 0)?.[0] ?? {})
          : almaEventPayload(kind, { id: `${kind.length}751207219283555`, ...PRINCETON });
    return { name: `${kind.toLowerCase()}.json`, plugin: kind, body: bytesOf(payload) };
  });
}
