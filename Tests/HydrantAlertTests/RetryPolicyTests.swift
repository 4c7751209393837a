import Testing
@testable import HydrantAlert

@Suite struct RetryPolicyTests {
    /// Firehose's schedule: 1 s doubling, ±15 %, capped at 2 min; the cap applies after jitter.
    @Test func defaultScheduleNumbers() {
        let policy = RetryPolicy.default
        #expect(policy.duration == .seconds(3600))
        let nominal: [Double] = [1, 2, 4, 8, 16, 32, 64]
        for (index, seconds) in nominal.enumerated() {
            #expect(abs(policy.delay(forRetry: index + 1, unit: 0).seconds - seconds) < 1e-9)
            #expect(abs(policy.delay(forRetry: index + 1, unit: -1).seconds - seconds * 0.85) < 1e-9)
            #expect(abs(policy.delay(forRetry: index + 1, unit: 1).seconds - seconds * 1.15) < 1e-9)
        }
        // 128 s × 0.85 = 108.8 s is under the cap; anything above 120 s is cut to 120 s.
        #expect(abs(policy.delay(forRetry: 8, unit: -1).seconds - 108.8) < 1e-9)
        #expect(policy.delay(forRetry: 8, unit: 0) == .seconds(120))
        #expect(policy.delay(forRetry: 9, unit: -1) == .seconds(120))
        #expect(policy.delay(forRetry: 1000, unit: 1) == .seconds(120))
    }

    @Test func randomDelaysStayInsideTheJitterBand() {
        let policy = RetryPolicy.default
        var generator = SystemRandomNumberGenerator()
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let delay = policy.delay(forRetry: 3, using: &generator).seconds
            #expect(delay >= 3.4 - 1e-9 && delay <= 4.6 + 1e-9)
            seen.insert(Int(delay * 10))
        }
        // Jitter actually spreads the delays (not a constant).
        #expect(seen.count > 5)
    }

    @Test func retryAfterSecondsAndDates() {
        #expect(RetryAfter.delay("120", now: 0) == .seconds(120))
        #expect(RetryAfter.delay(" 7 ", now: 0) == .seconds(7))
        #expect(RetryAfter.delay("-1", now: 0) == nil)
        #expect(RetryAfter.delay("soon", now: 0) == nil)
        // 1994-11-06T08:49:37Z is 784111777.
        #expect(RetryAfter.imfFixdate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:47 GMT", now: 784_111_777) == .seconds(10))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:00 GMT", now: 784_111_777) == .zero)
        #expect(RetryAfter.delay("Sun, 06 Foo 1994 08:49:37 GMT", now: 0) == nil)
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 UTC", now: 0) == nil)
        // The leap day of 2024 (days-from-civil around February).
        #expect(RetryAfter.imfFixdate("Thu, 29 Feb 2024 00:00:00 GMT") == 1_709_164_800)
    }

    @Test func statusClassification() {
        for status in [200, 201, 204, 299] {
            #expect(AttemptOutcome.classify(status: status, excerpt: "", retryAfter: nil) == .delivered(status: status))
        }
        for status in [408, 429, 500, 502, 503, 599] {
            guard case .retryable = AttemptOutcome.classify(status: status, excerpt: "", retryAfter: nil) else {
                Issue.record("\(status) should be retried")
                continue
            }
        }
        for status in [301, 400, 401, 403, 404, 410, 413, 422] {
            guard case .permanent = AttemptOutcome.classify(status: status, excerpt: "", retryAfter: nil) else {
                Issue.record("\(status) should be permanent")
                continue
            }
        }
    }
}
