"""Built-in plugin: Total Place's three counting categories and the pilots' common themes.

Kent counted its spend in three groups: public realm (transport, coastal barriers), community
(public safety) and individual (high-cost cases). Programmes and plugins may add more.
"""

from __future__ import annotations

from ..plugin import Category, Theme, hookimpl

CATEGORIES = (
    Category(
        "public-realm",
        "Public realm",
        "Spend on the place itself: transport, highways, coastal barriers, public assets.",
    ),
    Category("community", "Community", "Spend on communities: public safety, regeneration."),
    Category(
        "individual", "Individual", "Spend on individuals and families, e.g. high-cost cases."
    ),
)

THEMES = (
    Theme("asset-rationalisation", "Asset rationalisation", "public-realm"),
    Theme("transport", "Transport", "public-realm"),
    Theme("coastal-defences", "Coastal defences", "public-realm"),
    Theme("customer-access", "Joined-up customer access (Gateway)", "community"),
    Theme("community-safety", "Community safety", "community"),
    Theme("high-cost-cases", "High-cost cases", "individual"),
)


@hookimpl
def totalplace_register_categories(register):
    for category in CATEGORIES:
        register(category)


@hookimpl
def totalplace_register_themes(register):
    for theme in THEMES:
        register(theme)
