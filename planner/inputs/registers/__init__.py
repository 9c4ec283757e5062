"""Service points from the public registers (issue 23): fetch, map to the seven categories, diff.

- :mod:`.client`: HTTP with retries, a rate limit, a disk cache and one clear error per failed URL
- :mod:`.tpr`: the Helsinki-region Service Map / TPR REST API (units, service descriptions)
- :mod:`.ptv`: the national service register Palvelutietovaranto (PTV open API v11)
- :mod:`.mapping`: the explicit rules of ``mapping_rules.toml`` (category, language, walk-in,
  target group)
- :mod:`.build`: records -> points file rows (EPSG:3067 sites, municipality checked)
- :mod:`.fetch`: the whole ``planner points fetch``
- :mod:`.diff`: ``planner points diff`` (added, removed, moved, recategorised, re-dated)
"""
