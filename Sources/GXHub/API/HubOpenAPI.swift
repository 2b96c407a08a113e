/// The hub's API as an OpenAPI 3.1 description, served at `/openapi.yaml`. Hand-written beside the routes
/// (the routes are few and hand-authorised); `OpenAPIDescriptionTests` fails when a route and this text
/// disagree, in either direction.
enum HubOpenAPI {
    static let document = #"""
openapi: 3.1.0
info:
  title: Gongxiang hub API
  version: "1"
  description: >
    The exchange hub (共享交换平台): agency registry, resource catalogue (信息资源目录), sharing agreements
    (共享协议) signed with SM2 and filed by the authority, signed batches pushed by providers and pulled by
    consumers, and a hash-chained audit log. Every route except /healthz, /readyz and /openapi.yaml needs
    a bearer credential; each route states which principals (admin, auditor, agency) may call it. On a
    hub with mutual TLS the client certificate's one subject CN must name the credential's principal,
    kind and name: agency:<code>, admin:<name> or auditor:<name>.

    Parameters are read strictly: a value outside its documented range, a parameter given twice, bad
    percent-encoding or a control character is a 400 whose `field` names the parameter. Path parameters
    are percent-decoded. JSON bodies must be sent as `Content-Type: application/json` (415 otherwise) and
    may not name a key twice. A client must send a request's headers within the hub's header-read
    timeout (default 30 s) and may not fall silent mid-body for longer than its idle timeout (default 60 s).
servers:
  - url: https://hub.example.gov.cn:8480
security:
  - bearer: []
paths:
  /healthz:
    get:
      summary: The process is up.
      security: []
      responses:
        "200": { $ref: "#/components/responses/Status" }
  /readyz:
    get:
      summary: The database answers and its schema is the one this hub migrates to.
      security: []
      responses:
        "200": { $ref: "#/components/responses/Status" }
        "503": { $ref: "#/components/responses/Error" }
  /openapi.yaml:
    get:
      summary: This description.
      security: []
      responses:
        "200":
          description: OpenAPI 3.1 YAML.
          content: { application/yaml: {} }
  /metrics:
    get:
      summary: Prometheus metrics (admin, auditor).
      responses:
        "200":
          description: Prometheus text exposition format 0.0.4.
          content: { text/plain: {} }
        "401": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
  /v1/hub:
    get:
      summary: The hub's name, SM2 public key and audit head (admin, auditor, agency).
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "401": { $ref: "#/components/responses/Error" }
  /v1/agencies:
    get:
      summary: Registered agencies (admin, auditor, agency).
      responses:
        "200": { $ref: "#/components/responses/Array" }
    post:
      summary: Register an agency with its SM2 public key and roles; returns its credential once (admin).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [code, name, public_key, roles]
              properties:
                code: { type: string, description: 统一社会信用代码 (GB 32100) }
                name: { type: string }
                public_key: { type: string, description: SM2 public key, PEM }
                roles: { type: array, items: { type: string, enum: [provider, consumer] } }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/agencies/{code}:
    parameters: [{ $ref: "#/components/parameters/AgencyCode" }]
    get:
      summary: One agency (admin, auditor, agency).
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/agencies/{code}/key:
    parameters: [{ $ref: "#/components/parameters/AgencyCode" }]
    put:
      summary: >
        Put a new SM2 key in force; the previous one is kept as retired for what it signed before (the agency
        itself, proving it holds the current key; or admin, without proof).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [public_key]
              properties:
                public_key: { type: string, description: the new SM2 public key, PEM }
                proof: { type: string, description: "the current key's DER SM2 signature over public_key's text, base64 (required for an agency)" }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/auditors:
    post:
      summary: Issue an auditor credential (admin); 409 for a name an agency or the admin holds.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties: { name: { type: string } }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/credentials/{kind}/{name}/revocation:
    parameters: [{ $ref: "#/components/parameters/HolderKind" }, { $ref: "#/components/parameters/HolderName" }]
    post:
      summary: >
        Revoke every credential the agency, auditor or admin holds, at once on every hub process; audited
        (admin; not its own).
      requestBody: { $ref: "#/components/requestBodies/CredentialChange" }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/credentials/{kind}/{name}/reissue:
    parameters: [{ $ref: "#/components/parameters/HolderKind" }, { $ref: "#/components/parameters/HolderName" }]
    post:
      summary: >
        Issue a new token that replaces every credential the holder had, in one step; returned once; audited
        (admin).
      requestBody: { $ref: "#/components/requestBodies/CredentialChange" }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/catalogue:
    get:
      summary: The published catalogue entries (admin, auditor, agency).
      responses:
        "200": { $ref: "#/components/responses/Array" }
    post:
      summary: Publish a catalogue entry or a new schema version of it (admin).
      requestBody: { $ref: "#/components/requestBodies/Object" }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
  /v1/catalogue/{code}:
    parameters: [{ $ref: "#/components/parameters/ResourceCode" }]
    get:
      summary: One catalogue entry, the current or a given schema version (admin, auditor, agency).
      parameters:
        - { name: version, in: query, description: a schema version; a 404 naming version when the entry has no such version, schema: { $ref: "#/components/schemas/Text" } }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/agreements:
    get:
      summary: Agreements, filtered; an agency sees only its own (admin, auditor, agency).
      parameters:
        - { name: provider, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: consumer, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: resource, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: state, in: query, schema: { type: string, enum: [draft, signed_by_consumer, signed_by_provider, filed, active, suspended, revoked, expired, superseded] } }
      responses:
        "200": { $ref: "#/components/responses/Array" }
        "400": { $ref: "#/components/responses/Error" }
    post:
      summary: Register an agreement's terms as a draft (admin).
      requestBody: { $ref: "#/components/requestBodies/Object" }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
  /v1/agreements/expiry:
    post:
      summary: Expire agreements whose validity has ended, now rather than at the next sweep (admin).
      responses:
        "200":
          description: The ids of the agreements expired by this call (empty when none was due).
          content: { application/json: { schema: { type: array, items: { type: string } } } }
  /v1/agreements/{id}:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    get:
      summary: One agreement with its canonical terms and digest, the bytes a party signs (admin, auditor, its parties).
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/signatures:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: A party's SM2 signature over the canonical terms (agency; consumer first, then provider).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [signature]
              properties:
                signature: { type: string, description: DER SM2 signature, base64 }
                signer: { type: string }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/filing:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: File (备案) a signed agreement (admin).
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              properties:
                reason: { type: string, maxLength: 1000, description: a note kept in the audit entry }
                acknowledged_levels:
                  type: array
                  items: { type: string, enum: [重要, 核心] }
                  description: the data levels above 一般 the agreed items have (GB/T 43697-2024); required, exactly, when there are any
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/activation:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: Activate a filed agreement whose validity has begun (admin).
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/suspension:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: Suspend an agreement, with a reason (admin).
      requestBody: { $ref: "#/components/requestBodies/Reason" }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/resumption:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: Resume a suspended agreement, with a reason (admin).
      requestBody: { $ref: "#/components/requestBodies/Reason" }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/revocation:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: Revoke an agreement, with a reason (admin).
      requestBody: { $ref: "#/components/requestBodies/Reason" }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/toml:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    get:
      summary: The terms as the TOML an admin reviews in Agreements/ (admin, auditor, its parties).
      responses:
        "200":
          description: The agreement's terms, TOML.
          content: { application/toml: {} }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/amendment:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: >
        Propose an amendment (协议变更) of a filed, active or suspended agreement: new items, validity, frequency or
        duties, with a reason; the terms in force stay until the amendment is signed by both parties and filed
        (admin, its parties).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [reason]
              properties:
                items: { type: array, items: { type: string } }
                valid_from: { type: string, format: date }
                valid_until: { type: string, format: date }
                frequency: { type: string }
                duties:
                  type: object
                  required: [provision, use, disposal, security]
                  properties:
                    provision: { type: string }
                    use: { type: string }
                    disposal: { type: string }
                    security: { type: string }
                reason: { type: string, maxLength: 1000 }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/amendment/signatures:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: A party's SM2 signature over the pending amendment's canonical terms (agency; consumer first, then provider).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [signature]
              properties:
                signature: { type: string, description: DER SM2 signature, base64 }
                signer: { type: string }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/amendment/filing:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: >
        File (备案) the signed amendment (admin): in one transaction the terms in force are superseded and the
        amendment's take effect; the next batch is delivered with the new items.
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "409": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/amendment/withdrawal:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    post:
      summary: Withdraw the pending amendment, with a reason (admin, its parties).
      requestBody: { $ref: "#/components/requestBodies/Reason" }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/demands:
    get:
      summary: >
        Sharing demands (共享需求), filtered; an agency sees only those it is party to (admin, auditor, agency).
        overdue=true lists the undecided ones past their time limit in working days.
      parameters:
        - { name: consumer, in: query, schema: { type: string } }
        - { name: provider, in: query, schema: { type: string } }
        - { name: resource, in: query, schema: { type: string } }
        - { name: state, in: query, schema: { type: string, enum: [submitted, under_review, forwarded, granted, partially_granted, refused, withdrawn] } }
        - { name: overdue, in: query, schema: { type: boolean } }
      responses:
        "200": { $ref: "#/components/responses/Array" }
        "400": { $ref: "#/components/responses/Error" }
    post:
      summary: >
        Submit a demand for a catalogued resource (agency, as consumer). 不予共享 resources are refused at once
        naming the catalogue's basis; otherwise the authority's review limit (2 working days) starts.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [resource, items, purpose, valid_from, valid_until]
              properties:
                resource: { type: string }
                items: { type: array, items: { type: string }, maxItems: 500 }
                purpose: { type: string, maxLength: 2000 }
                basis: { type: string, maxLength: 2000, description: 依据; required for 有条件共享 }
                frequency: { type: string, enum: [实时, 每日, 每周, 每月, 每季度, 每年] }
                method: { type: string, enum: [push, pull] }
                valid_from: { type: string, format: date }
                valid_until: { type: string, format: date }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
  /v1/demands/{id}:
    parameters: [{ $ref: "#/components/parameters/DemandID" }]
    get:
      summary: One demand with who must act next and whether it is overdue (admin, auditor, its parties).
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/demands/{id}/withdraw:
    parameters: [{ $ref: "#/components/parameters/DemandID" }]
    post:
      summary: Withdraw an undecided demand (agency; its consumer). The body is optional.
      requestBody:
        required: false
        content:
          application/json:
            schema: { type: object, properties: { reason: { type: string, maxLength: 1000 } } }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/demands/{id}/review:
    parameters: [{ $ref: "#/components/parameters/DemandID" }]
    post:
      summary: >
        The authority's review (admin): take (under review), grant (无条件共享; draws up the draft agreement),
        forward (有条件共享; the provider's 10 working days start) or refuse (reason required).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [decision]
              properties:
                decision: { type: string, enum: [take, grant, forward, refuse] }
                reason: { type: string, maxLength: 1000 }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/demands/{id}/reply:
    parameters: [{ $ref: "#/components/parameters/DemandID" }]
    post:
      summary: >
        The provider's reply to a forwarded demand (agency; the resource's provider): accept, accept_fewer (each
        refused item with its reason) or refuse (reason required). An acceptance draws up the draft agreement.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [decision]
              properties:
                decision: { type: string, enum: [accept, accept_fewer, refuse] }
                refused_items:
                  type: array
                  items: { type: object, required: [item, reason], properties: { item: { type: string }, reason: { type: string } } }
                reason: { type: string, maxLength: 1000 }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/objections:
    get:
      summary: >
        Objections to shared records (数据异议), filtered; an agency sees those it raised or that are raised against
        it (admin, auditor, agency). overdue=true lists those awaiting the provider's answer past their deadline.
        flagged=true keeps those that flag their record (open, escalated, confirmed); with agreement=ID an agency
        party to it sees every consumer's flags on that agreement's resource (what its agent keeps in gx_disputed);
        another consumer's flag shows its key, items and state, not its problem, evidence or reason.
      parameters:
        - { name: consumer, in: query, schema: { type: string } }
        - { name: provider, in: query, schema: { type: string } }
        - { name: agreement, in: query, schema: { type: string } }
        - { name: resource, in: query, schema: { type: string } }
        - { name: state, in: query, schema: { type: string, enum: [open, escalated, confirmed, rejected, closed] } }
        - { name: flagged, in: query, schema: { type: boolean } }
        - { name: overdue, in: query, schema: { type: boolean } }
      responses:
        "200": { $ref: "#/components/responses/Array" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
    post:
      summary: >
        Raise an objection on a record received under an active agreement (agency; its consumer): the key values in
        the resource's key order, the disputed items (items of the agreement), what is wrong and the evidence. The
        record is flagged at once and the provider's answer limit (5 working days by default) starts.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [agreement, key, items, problem]
              properties:
                agreement: { type: string }
                key: { type: array, items: { type: string, maxLength: 256 } }
                items: { type: array, items: { type: string }, maxItems: 100 }
                problem: { type: string, maxLength: 2000 }
                evidence: { type: string, maxLength: 4000 }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
  /v1/objections/{id}:
    parameters: [{ $ref: "#/components/parameters/ObjectionID" }]
    get:
      summary: One objection with who must act next and whether the answer is overdue (admin, auditor, its parties).
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/objections/{id}/answer:
    parameters: [{ $ref: "#/components/parameters/ObjectionID" }]
    post:
      summary: >
        The provider's answer (agency; the resource's provider): confirmed (it corrects the record at the source;
        its next accepted batch carrying the key closes the objection) or rejected (reason required).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [decision]
              properties:
                decision: { type: string, enum: [confirmed, rejected] }
                reason: { type: string, maxLength: 1000 }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/batches:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    get:
      summary: Batches the agreement's consumer may pull, after a sequence (agency; the consumer).
      parameters:
        - { name: after, in: query, description: list batches after this sequence (default 0), schema: { type: integer, minimum: 0, maximum: 9223372036854775807 } }
        - { name: wait, in: query, description: "seconds to wait for a batch when there is none yet (default 0): a decimal such as 10 or 2.5", schema: { type: number, minimum: 0, maximum: 30 } }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/batches/{seq}:
    parameters:
      - { $ref: "#/components/parameters/AgreementID" }
      - { $ref: "#/components/parameters/Sequence" }
    get:
      summary: One delivery, cut to the agreed items and signed by the hub (agency; the consumer).
      responses:
        "200":
          description: The deflated canonical records; the signed delivery manifest in the headers.
          headers:
            X-GX-Manifest: { $ref: "#/components/headers/Manifest" }
            X-GX-Signature: { $ref: "#/components/headers/Signature" }
          content: { application/octet-stream: {} }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
        "410": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/batches/{seq}/receipt:
    parameters:
      - { $ref: "#/components/parameters/AgreementID" }
      - { $ref: "#/components/parameters/Sequence" }
    post:
      summary: The consumer's signed receipt for an applied delivery (agency; the consumer).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [receipt, signature]
              properties:
                receipt: { type: string, description: canonical JSON, base64 }
                signature: { type: string, description: DER SM2 signature, base64 }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/verifications:
    parameters: [{ $ref: "#/components/parameters/AgreementID" }]
    get:
      summary: A verification agreement's requests with their signed answers and receipts, never a record (admin, auditor, its two parties).
      parameters:
        - { name: after, in: query, description: list requests after this sequence (default 0), schema: { type: integer, minimum: 0, maximum: 9223372036854775807 } }
        - { name: wait, in: query, description: "seconds to wait for a request when there is none after `after` (default 0)", schema: { type: number, minimum: 0, maximum: 30 } }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
    post:
      summary: Push one verification request (比对核实; agency; the consumer), its records sorted by key. Checked completely before it is kept.
      parameters:
        - { name: X-GX-Manifest, in: header, required: true, schema: { type: string } }
        - { name: X-GX-Signature, in: header, required: true, schema: { type: string } }
      requestBody:
        required: true
        content: { application/octet-stream: {} }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
        "413": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/verifications/{seq}/request:
    parameters:
      - { $ref: "#/components/parameters/AgreementID" }
      - { $ref: "#/components/parameters/Sequence" }
    get:
      summary: One verification request as its consumer signed it (agency; the provider).
      responses:
        "200":
          description: The deflated canonical records; the consumer's signed request manifest in the headers.
          headers:
            X-GX-Manifest: { $ref: "#/components/headers/Manifest" }
            X-GX-Signature: { $ref: "#/components/headers/Signature" }
          content: { application/octet-stream: {} }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
        "410": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/verifications/{seq}/answer:
    parameters:
      - { $ref: "#/components/parameters/AgreementID" }
      - { $ref: "#/components/parameters/Sequence" }
    get:
      summary: The provider's signed answer to a request, found/not_found and match/mismatch per item (agency; the consumer).
      responses:
        "200":
          description: The deflated answer records; the provider's signed answer manifest in the headers.
          headers:
            X-GX-Manifest: { $ref: "#/components/headers/Manifest" }
            X-GX-Signature: { $ref: "#/components/headers/Signature" }
          content: { application/octet-stream: {} }
        "403": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
    post:
      summary: Push the answer to a request (agency; the provider). Refused unless it answers the request record for record.
      parameters:
        - { name: X-GX-Manifest, in: header, required: true, schema: { type: string } }
        - { name: X-GX-Signature, in: header, required: true, schema: { type: string } }
      requestBody:
        required: true
        content: { application/octet-stream: {} }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/agreements/{id}/verifications/{seq}/receipt:
    parameters:
      - { $ref: "#/components/parameters/AgreementID" }
      - { $ref: "#/components/parameters/Sequence" }
    post:
      summary: The consumer's signed receipt for an applied answer (agency; the consumer).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [receipt, signature]
              properties:
                receipt: { type: string, description: canonical JSON, base64 }
                signature: { type: string, description: DER SM2 signature, base64 }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/resources/{code}/batches:
    parameters: [{ $ref: "#/components/parameters/ResourceCode" }]
    get:
      summary: A resource's batches with their receipts (admin, auditor, its provider).
      parameters:
        - { name: after, in: query, description: list batches after this sequence (default 0), schema: { type: integer, minimum: 0, maximum: 9223372036854775807 } }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
    post:
      summary: Push one batch (agency; the resource's provider). Checked completely before it is kept.
      parameters:
        - { name: X-GX-Manifest, in: header, required: true, schema: { type: string } }
        - { name: X-GX-Signature, in: header, required: true, schema: { type: string } }
      requestBody:
        required: true
        content: { application/octet-stream: {} }
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
        "413": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/reports/compliance:
    get:
      summary: >
        Cadence (issue 17): per agreement and period of its frequency (nights begin 12:00 Beijing time), whether the
        provider's pass completed and the consumer applied it on time, late, or not at all (空白); per resource, its
        catalogue update cycle. Admin, auditor; an agency only its own.
      parameters:
        - { name: from, in: query, required: true, description: "first night (a date; nights run 12:00 to 12:00 China Standard Time, +08:00)", schema: { type: string, format: date } }
        - { name: to, in: query, required: true, description: last night (a date, inclusive), schema: { type: string, format: date } }
        - { name: agency, in: query, schema: { $ref: "#/components/schemas/Text" } }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
  /v1/reports/statistics:
    get:
      summary: >
        Figures per month, agency and resource (agreements filed, suspended, revoked; pairs active; batches; records
        provided, delivered, applied; quarantined by rule; demands). Admin, auditor; an agency only its own.
      parameters:
        - { name: year, in: query, description: the year (default this year), schema: { type: integer, minimum: 2000, maximum: 2999 } }
        - { name: month, in: query, schema: { type: integer, minimum: 1, maximum: 12 } }
        - { name: agency, in: query, schema: { $ref: "#/components/schemas/Text" } }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
        "403": { $ref: "#/components/responses/Error" }
  /v1/audit:
    get:
      summary: Audit entries, filtered and paged (admin, auditor).
      parameters:
        - { name: agency, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: agreement, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: resource, in: query, description: "entries concerning this catalogue resource: its catalogue acts, its batches (subject CODE#sequence), its demands, and every act on an agreement that shares it", schema: { $ref: "#/components/schemas/Text" } }
        - { name: action, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: actor, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: from, in: query, description: "entries at or after this instant: RFC 3339 with any offset (2026-12-04T08:00:00+08:00; send + as %2B or as is), or a date 2026-12-04 meaning 00:00 China Standard Time (UTC+8)", schema: { type: string } }
        - { name: until, in: query, description: "entries at or before this instant (inclusive, to the precision written), written as for from: until=2026-11-30 includes that whole day in Beijing, until=2026-11-30T23:59:59Z that whole second", schema: { type: string } }
        - { name: after, in: query, description: entries after this sequence number (default 0), schema: { type: integer, minimum: 0, maximum: 9223372036854775807 } }
        - { name: limit, in: query, description: entries per page (default 100), schema: { type: integer, minimum: 1, maximum: 1000 } }
      responses:
        "200": { $ref: "#/components/responses/Object" }
        "400": { $ref: "#/components/responses/Error" }
  /v1/audit/checkpoints:
    get:
      summary: The hub's signed checkpoints of the audit chain (admin, auditor).
      responses:
        "200": { $ref: "#/components/responses/Array" }
    post:
      summary: Sign a checkpoint at the current head now (admin).
      responses:
        "201": { $ref: "#/components/responses/Object" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/audit/export:
    get:
      summary: The whole chain as NDJSON, for offline verification with only the hub's public key, or the entries the filters select (admin, auditor).
      description: With any filter the export is a selection, not the whole chain; its header line carries `selection` (the filters) and the response the Gx-Audit-Selection header, and `gx audit verify` reports it as a selection, never as intact.
      parameters:
        - { name: agency, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: agreement, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: resource, in: query, description: as for /v1/audit, schema: { $ref: "#/components/schemas/Text" } }
        - { name: action, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: actor, in: query, schema: { $ref: "#/components/schemas/Text" } }
        - { name: from, in: query, description: "entries at or after this instant, as for /v1/audit (2026-12-04T08:00:00+08:00, or a date meaning 00:00 China Standard Time)", schema: { type: string } }
        - { name: until, in: query, description: "entries at or before this instant (inclusive), as for /v1/audit", schema: { type: string } }
      responses:
        "200":
          description: A header line (with `selection` when filtered), then the entries and the checkpoints.
          headers:
            Gx-Audit-Selection: { description: "the filters, as agency=…&resource=…; absent for the whole chain", schema: { type: string } }
          content: { application/x-ndjson: {} }
        "400": { $ref: "#/components/responses/Error" }
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
  parameters:
    AgencyCode: { name: code, in: path, required: true, schema: { type: string } }
    ResourceCode: { name: code, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" } }
    AgreementID: { name: id, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" } }
    DemandID: { name: id, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" } }
    ObjectionID: { name: id, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" } }
    Sequence: { name: seq, in: path, required: true, schema: { type: integer, minimum: 1, maximum: 9223372036854775807 } }
    HolderKind: { name: kind, in: path, required: true, schema: { type: string, enum: [agency, auditor, admin] } }
    HolderName: { name: name, in: path, required: true, schema: { type: string }, description: the agency's code, or the auditor's or admin's name }
  headers:
    Manifest: { description: The signed manifest, canonical JSON in base64., schema: { type: string } }
    Signature: { description: DER SM2 signature over the manifest, base64., schema: { type: string } }
  requestBodies:
    Object:
      required: true
      content: { application/json: { schema: { type: object } } }
    Reason:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [reason]
            properties: { reason: { type: string, minLength: 1, maxLength: 1000 } }
    CredentialChange:
      required: false
      content:
        application/json:
          schema:
            type: object
            properties: { reason: { type: string, maxLength: 1000, description: kept in the audit entry } }
  schemas:
    Text:
      type: string
      maxLength: 256
      description: at most 256 bytes of UTF-8 without control characters
    Error:
      type: object
      required: [error]
      properties:
        error: { type: string, description: what went wrong, in words }
        field: { type: string, description: the input field at fault, when there is one }
  responses:
    Status:
      description: A status document.
      content: { application/json: { schema: { type: object, properties: { status: { type: string } } } } }
    Object:
      description: A JSON document.
      content: { application/json: { schema: { type: object } } }
    Array:
      description: A JSON array.
      content: { application/json: { schema: { type: array, items: { type: object } } } }
    Error:
      description: The error, and the field at fault.
      content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
"""#
}
