import HydrantRecords

/// 2018-08-27T10:30:05.123456789Z, the hour of the Firehose guide's worked examples.
let guideTime = Timestamp(seconds: 1_535_365_805, nanoseconds: 123_456_789)
