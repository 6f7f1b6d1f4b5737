"""What the seed article's structure is (issue "The main job end to end", acceptance on the seed)."""

from __future__ import annotations

LEVEL2 = [
    "A Renewed Diplomatic Momentum",
    "Why Relations Needed Repair",
    "The Role of State Visits in Diplomacy",
    "Key Areas of Cooperation Discussed",
    "Regional Implications of Improved Ties",
    "Domestic Reactions and Expectations",
    "Challenges Ahead",
    "Conclusion",
]
# level-3 heading -> its level-2 parent
PARENTS = {
    "Past Sources of Tension": "Why Relations Needed Repair",
    "Economic Interdependence": "Why Relations Needed Repair",
    "Symbolism and Substance": "The Role of State Visits in Diplomacy",
    "Building Personal Rapport": "The Role of State Visits in Diplomacy",
    "Trade and Economic Stability": "Key Areas of Cooperation Discussed",
    "Cultural and People-to-People Exchange": "Key Areas of Cooperation Discussed",
    "Regional and Global Issues": "Key Areas of Cooperation Discussed",
    "In South Korea": "Domestic Reactions and Expectations",
    "In China": "Domestic Reactions and Expectations",
}
