/// The hub's API as an OpenAPI 3.1 description, served at `/openapi.yaml`. The text is the resource file
/// `openapi.yaml` beside this one, compiled into the binary (gx ships alone); it is hand-written beside the
/// routes, `OpenAPIDescriptionTests` fails when a route and it disagree in either direction, and
/// `scripts/api-check.sh` runs schemathesis against a loaded hub to hold the responses to it.
enum HubOpenAPI {
    static let document = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
}
