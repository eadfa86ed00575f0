"""Children's data protection: the personal-data registry, subject access and privacy notices."""
