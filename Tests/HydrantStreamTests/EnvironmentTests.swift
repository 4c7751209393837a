import Testing
@testable import HydrantStream

@Suite struct EnvironmentTests {
    let authYAML = """
        auth:
          access_keys:
            - id: hydrant
              secret_env: HYDRANT_SECRET_KEY
            - id: other
              secret_env: OTHER_SECRET
        streams:
          - name: s
            destination:
              s3: {endpoint: "http://127.0.0.1:8333", bucket: lake, access_key_env: KEY_ID, secret_key_env: KEY_SECRET}
        """

    @Test func missingVariablesAreAllReportedByName() throws {
        let configuration = try load(authYAML)
        do {
            _ = try configuration.resolveSecrets(environment: ["OTHER_SECRET": "x", "KEY_SECRET": ""])
            Issue.record("expected missing variables")
        } catch {
            let messages = error.errors.map(\.description)
            #expect(messages.count == 3)
            #expect(messages[0] == "hydrant.yaml:4:19: auth.access_keys[0].secret_env names environment variable HYDRANT_SECRET_KEY, which is not set")
            #expect(messages[1].contains("KEY_ID, which is not set"))
            #expect(messages[2].contains("KEY_SECRET, which is empty"))
            #expect(error.errors.allSatisfy { $0.kind == .missingEnvironmentVariable })
        }
    }

    @Test func secretsResolve() throws {
        let secrets = try load(authYAML).resolveSecrets(
            environment: ["HYDRANT_SECRET_KEY": "a", "OTHER_SECRET": "b", "KEY_ID": "c", "KEY_SECRET": "d"])
        #expect(secrets.accessKeys == ["hydrant": "a", "other": "b"])
        #expect(secrets.s3["s"] == .init(accessKeyID: "c", secretAccessKey: "d"))
    }

    @Test func inProcessRunsNeedNoIngestSecrets() throws {
        let secrets = try load(authYAML).resolveSecrets(environment: ["KEY_ID": "c", "KEY_SECRET": "d"],
                                                        includingAuth: false)
        #expect(secrets.accessKeys.isEmpty)
        #expect(secrets.s3["s"] == .init(accessKeyID: "c", secretAccessKey: "d"))
    }

    @Test func secretEnvMustBeAVariableName() {
        let found = errors("auth:\n  access_keys:\n    - {id: a, secret_env: \"my secret\"}\n" + stream())
        #expect(found.first?.kind == .invalidValue)
        #expect(found.first?.line == 3)
    }

    @Test func duplicateAccessKeyIDs() {
        let found = errors("auth:\n  access_keys:\n    - {id: a, secret_env: A}\n    - {id: a, secret_env: B}\n" + stream())
        #expect(found.first?.kind == .duplicate)
        #expect(found.first?.line == 4)
    }

    @Test func substitution() throws {
        let yaml = """
            storage: {dir: "${STATE}/wal"}
            streams:
              - name: s
                destination:
                  s3: {endpoint: "http://${S3_HOST}:8333", bucket: "${BUCKET}"}
                prefix: "$${literal}/"
            """
        let configuration = try load(yaml, environment: ["STATE": "/var/lib/hydrant", "S3_HOST": "10.0.0.1", "BUCKET": "lake"])
        #expect(configuration.storage.dir == "/var/lib/hydrant/wal")
        guard case .s3(let s3) = configuration.streams.first?.destination else {
            Issue.record("expected s3")
            return
        }
        #expect(s3.endpoint == "http://10.0.0.1:8333")
        #expect(s3.bucket == "lake")
        #expect(configuration.streams.first?.prefix.source.hasPrefix("${literal}/") == true)
    }

    @Test func unsetSubstitutionIsAnError() {
        let found = errors("storage: {dir: \"${NOPE}/wal\"}\n" + stream())
        #expect(found.map(\.description) == ["hydrant.yaml:1:16: storage.dir uses ${NOPE}, but environment variable NOPE is not set"])
    }

    @Test func malformedSubstitution() {
        #expect(errors("storage: {dir: \"${NOPE\"}\n" + stream()).first?.kind == .invalidValue)
        #expect(errors("storage: {dir: \"${1X}\"}\n" + stream()).first?.kind == .invalidValue)
    }
}
