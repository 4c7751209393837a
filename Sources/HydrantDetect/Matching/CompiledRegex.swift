import CPcre2

/// A PCRE2 pattern compiled once (with JIT when available) and matched against byte values.
///
/// The compiled code is immutable after creation and PCRE2 allows concurrent matching on it with separate match
/// data, so it is shared across engines; each `RegexScratch` owns its match data.
final class CompiledRegex: @unchecked Sendable {
    private let code: OpaquePointer
    private let jit: Bool

    /// Compiles `pattern`; throws a message with PCRE2's error text and the offset in the pattern.
    init(pattern: String, flags: RegexFlags) throws(RegexCompileError) {
        // UTF mode with invalid-UTF tolerance: values are UTF-8 text but hostile records may hold anything.
        var options: UInt32 = UInt32(PCRE2_UTF) | UInt32(PCRE2_MATCH_INVALID_UTF)
        if flags.contains(.caseInsensitive) { options |= UInt32(PCRE2_CASELESS) | UInt32(PCRE2_UCP) }
        if flags.contains(.multiline) { options |= UInt32(PCRE2_MULTILINE) }
        if flags.contains(.dotAll) { options |= UInt32(PCRE2_DOTALL) }
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let bytes = Array(pattern.utf8)
        let compiled = bytes.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            var message = [UInt8](repeating: 0, count: 256)
            let length = pcre2_get_error_message_8(errorCode, &message, message.count)
            let text = length > 0 ? String(decoding: message[0..<Int(length)], as: UTF8.self) : "error \(errorCode)"
            throw RegexCompileError(message: "\(text) at offset \(errorOffset)")
        }
        code = compiled
        jit = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
    }

    deinit { pcre2_code_free_8(code) }

    /// Whether the pattern matches anywhere in `value`.
    @inline(__always)
    func matches(_ value: UnsafeBufferPointer<UInt8>, scratch: RegexScratch) -> Bool {
        let result: Int32
        if let base = value.baseAddress {
            result = jit ? pcre2_jit_match_8(code, base, value.count, 0, 0, scratch.data, nil)
                : pcre2_match_8(code, base, value.count, 0, 0, scratch.data, nil)
        } else {
            // An empty buffer may have a nil base address; PCRE2 needs a valid pointer even for length 0.
            var empty: UInt8 = 0
            result = pcre2_match_8(code, &empty, 0, 0, 0, scratch.data, nil)
        }
        return result >= 0
    }
}

/// Match data for one evaluating thread; one pair of offsets is enough since only "matched or not" is asked.
final class RegexScratch {
    let data: OpaquePointer?

    init() { data = pcre2_match_data_create_8(1, nil) }

    deinit { if let data { pcre2_match_data_free_8(data) } }
}

/// A pattern PCRE2 refused.
struct RegexCompileError: Error {
    let message: String
}
