/// HydrantParquet: an Apache Parquet file writer built from the format specification, usable on its own.
public enum ParquetModule {}
