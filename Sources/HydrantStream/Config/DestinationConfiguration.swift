/// Where a stream delivers its objects: a directory or an S3-compatible bucket.
public enum DestinationConfiguration: Hashable, Sendable {
    /// Objects are files under a root directory.
    case file(FileDestination)
    /// Objects are uploaded to an S3 bucket.
    case s3(S3Destination)
}

/// A directory destination.
public struct FileDestination: Hashable, Sendable {
    /// The root directory, relative to the working directory unless absolute.
    public let root: String

    /// A destination under `root`.
    public init(root: String) {
        self.root = root
    }
}

/// An S3-compatible bucket destination; the credentials are named environment variables, never values.
public struct S3Destination: Hashable, Sendable {
    /// The default region when none is configured.
    public static let defaultRegion = "us-east-1"
    /// The default variable holding the access key id (the AWS SDKs' convention).
    public static let defaultAccessKeyEnv = "AWS_ACCESS_KEY_ID"
    /// The default variable holding the secret access key (the AWS SDKs' convention).
    public static let defaultSecretKeyEnv = "AWS_SECRET_ACCESS_KEY"

    /// The service URL, `http://` or `https://`, e.g. `http://127.0.0.1:8333`.
    public let endpoint: String
    /// The bucket name.
    public let bucket: String
    /// The signing region.
    public let region: String
    /// The environment variable holding the access key id.
    public let accessKeyEnv: String
    /// The environment variable holding the secret access key.
    public let secretKeyEnv: String
    /// Where `access_key_env` / `secret_key_env` (or the `s3` mapping) were written, for resolution errors.
    public let location: SourceLocation
    /// The key path of the `s3` mapping, e.g. `streams[0].destination.s3`.
    public let path: String

    /// A bucket destination.
    public init(endpoint: String, bucket: String, region: String = S3Destination.defaultRegion,
                accessKeyEnv: String = S3Destination.defaultAccessKeyEnv,
                secretKeyEnv: String = S3Destination.defaultSecretKeyEnv,
                location: SourceLocation, path: String) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.accessKeyEnv = accessKeyEnv
        self.secretKeyEnv = secretKeyEnv
        self.location = location
        self.path = path
    }
}
