/// Batch appends: one row per array element, and whole lists per row.
///
/// Concrete overloads (rather than one generic method) keep the per-value path specialised when called from
/// another module.
extension ParquetColumnWriter {
    /// Appends one row per value.
    public func append(contentsOf values: [Bool]) throws(ParquetError) {
        for value in values { try append(value) }
    }

    /// Appends one row per element; nil appends a null (see `appendNull()`).
    public func append(contentsOf values: [Bool?]) throws(ParquetError) {
        for value in values {
            if let value { try append(value) } else { try appendNull() }
        }
    }

    /// Appends one list row: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [Bool]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements { try append(element) }
        try endList()
    }

    /// Appends one list row whose elements may be null: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [Bool?]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements {
            if let element { try append(element) } else { try appendNull() }
        }
        try endList()
    }

    /// Appends one row per value.
    public func append(contentsOf values: [Int32]) throws(ParquetError) {
        for value in values { try append(value) }
    }

    /// Appends one row per element; nil appends a null (see `appendNull()`).
    public func append(contentsOf values: [Int32?]) throws(ParquetError) {
        for value in values {
            if let value { try append(value) } else { try appendNull() }
        }
    }

    /// Appends one list row: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [Int32]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements { try append(element) }
        try endList()
    }

    /// Appends one list row whose elements may be null: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [Int32?]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements {
            if let element { try append(element) } else { try appendNull() }
        }
        try endList()
    }

    /// Appends one row per value.
    public func append(contentsOf values: [Int64]) throws(ParquetError) {
        for value in values { try append(value) }
    }

    /// Appends one row per element; nil appends a null (see `appendNull()`).
    public func append(contentsOf values: [Int64?]) throws(ParquetError) {
        for value in values {
            if let value { try append(value) } else { try appendNull() }
        }
    }

    /// Appends one list row: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [Int64]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements { try append(element) }
        try endList()
    }

    /// Appends one list row whose elements may be null: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [Int64?]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements {
            if let element { try append(element) } else { try appendNull() }
        }
        try endList()
    }

    /// Appends one row per value.
    public func append(contentsOf values: [UInt32]) throws(ParquetError) {
        for value in values { try append(value) }
    }

    /// Appends one row per element; nil appends a null (see `appendNull()`).
    public func append(contentsOf values: [UInt32?]) throws(ParquetError) {
        for value in values {
            if let value { try append(value) } else { try appendNull() }
        }
    }

    /// Appends one list row: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [UInt32]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements { try append(element) }
        try endList()
    }

    /// Appends one list row whose elements may be null: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [UInt32?]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements {
            if let element { try append(element) } else { try appendNull() }
        }
        try endList()
    }

    /// Appends one row per value.
    public func append(contentsOf values: [UInt64]) throws(ParquetError) {
        for value in values { try append(value) }
    }

    /// Appends one row per element; nil appends a null (see `appendNull()`).
    public func append(contentsOf values: [UInt64?]) throws(ParquetError) {
        for value in values {
            if let value { try append(value) } else { try appendNull() }
        }
    }

    /// Appends one list row: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [UInt64]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements { try append(element) }
        try endList()
    }

    /// Appends one list row whose elements may be null: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [UInt64?]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements {
            if let element { try append(element) } else { try appendNull() }
        }
        try endList()
    }

    /// Appends one row per value.
    public func append(contentsOf values: [Double]) throws(ParquetError) {
        for value in values { try append(value) }
    }

    /// Appends one row per element; nil appends a null (see `appendNull()`).
    public func append(contentsOf values: [Double?]) throws(ParquetError) {
        for value in values {
            if let value { try append(value) } else { try appendNull() }
        }
    }

    /// Appends one list row: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [Double]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements { try append(element) }
        try endList()
    }

    /// Appends one list row whose elements may be null: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [Double?]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements {
            if let element { try append(element) } else { try appendNull() }
        }
        try endList()
    }

    /// Appends one row per value.
    public func append(contentsOf values: [String]) throws(ParquetError) {
        for value in values { try append(value) }
    }

    /// Appends one row per element; nil appends a null (see `appendNull()`).
    public func append(contentsOf values: [String?]) throws(ParquetError) {
        for value in values {
            if let value { try append(value) } else { try appendNull() }
        }
    }

    /// Appends one list row: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [String]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements { try append(element) }
        try endList()
    }

    /// Appends one list row whose elements may be null: nil is a null list, `[]` an empty list.
    public func appendList(_ elements: [String?]?) throws(ParquetError) {
        guard let elements else { return try appendNull() }
        try beginList()
        for element in elements {
            if let element { try append(element) } else { try appendNull() }
        }
        try endList()
    }

}
