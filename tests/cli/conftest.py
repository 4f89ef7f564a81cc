def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "up: starts `meibo up` in a subprocess with its own embedded servers (about a minute)",
    )
