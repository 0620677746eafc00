"""Hand-written golds for the model-output corpus, with equivalent and wrong-but-close answers.

Each entry: (gold as a dataset stores it, dataset style, answers a model would write that are
right, answers that are close but wrong, task kind, problem text).  Golds are written the way
GSM8K (after ``####``), MATH (inside the solution's ``\\boxed{}``), AIME (an integer 0-999) and our
own generators (sympy ``latex()``) store them.  Right/wrong answers are what a person checking
by hand would accept or reject; they were not derived from the verifier's rules.

``DEV`` is used for development; ``HELDOUT`` is never tuned on (its agreement is reported alone).
"""

from __future__ import annotations

from typing import NamedTuple


class Gold(NamedTuple):
    gold: str
    dataset: str
    right: tuple[str, ...]
    wrong: tuple[str, ...]
    task: str = "answer"  # "answer" | "derivative" | "antiderivative"
    problem: str = ""


G = Gold

DEV: tuple[Gold, ...] = (
    # ---- GSM8K (integers, money, big numbers) ----
    G("72", "gsm8k", ("72", "72.00", "\\$72", "72 dollars"), ("71", "720", "36")),
    G("18", "gsm8k", ("18", "\\$18", "18.0"), ("16", "81", "-18")),
    G("3", "gsm8k", ("3", "3 hours", "\\text{3}"), ("4", "3.5", "\\frac{1}{3}")),
    G("1000", "gsm8k", ("1000", "1,000", "1{,}000", "\\$1,000"), ("100", "10000", "1,001")),
    G("624", "gsm8k", ("624", "624 apples", "\\boxed{624}"), ("642", "626", "6.24")),
    G("5", "gsm8k", ("5", "5 cookies", "5."), ("6", "4", "25")),
    G("160", "gsm8k", ("160", "\\$160.00", "160 miles"), ("16", "1600", "150")),
    G("42", "gsm8k", ("42", "42 students"), ("43", "24", "-42")),
    G("2125", "gsm8k", ("2125", "2,125", "\\$2,125"), ("2,120", "212.5", "2025")),
    G("0.5", "gsm8k", ("0.5", "\\frac{1}{2}", "1/2", ".5"), ("0.25", "5", "2")),
    G("11111100", "gsm8k", ("11,111,100", "11{,}111{,}100", "11111100"), ("1,111,100", "11111000")),
    G("26", "gsm8k", ("26", "26 years old", "26 \\text{ years}"), ("27", "25", "62")),
    # ---- MATH ----
    G(
        "\\frac{3}{4}",
        "math",
        ("\\frac{3}{4}", "\\dfrac{3}{4}", "0.75", "3/4"),
        ("\\frac{4}{3}", "0.7", "\\frac{3}{5}"),
    ),
    G(
        "\\frac{\\sqrt{3}}{2}",
        "math",
        ("\\frac{\\sqrt{3}}{2}", "\\dfrac{\\sqrt3}{2}", "\\frac{1}{2}\\sqrt{3}"),
        ("\\frac{\\sqrt{2}}{2}", "\\sqrt{3}", "\\frac{3}{2}"),
    ),
    G("2\\sqrt{2}", "math", ("2\\sqrt{2}", "\\sqrt{8}", "2 \\sqrt 2"), ("\\sqrt{2}", "4\\sqrt{2}", "2\\sqrt{3}")),
    G("11,\\! 111,\\! 100", "math", ("11,111,100", "11,\\! 111,\\! 100", "11111100"), ("11,111,000", "1,111,100")),
    G("19, 46, 82", "math", ("19, 46, \\text{ and } 82", "19, 46, and 82", "19,46,82"), ("19, 46", "19, 47, 82")),
    G("6, 8", "math", ("6 and 8", "6, 8", "8, 6"), ("6", "6, 7", "6 \\text{ or } 9")),
    G(
        "(5,2),(7,2)",
        "math",
        ("p=5,q=2;p=7,q=2", "(5,2),(7,2)", "(5, 2), (7, 2)"),
        ("(5,2)", "(2,5),(2,7)", "(5,2),(7,3)"),
    ),
    G("\\$18.90", "math", ("18.90", "\\$18.90", "18.9"), ("18.09", "19.80", "189")),
    G("\\text{(C)}", "math", ("\\text{(C)}", "(C)", "C"), ("\\text{(B)}", "(D)", "B")),
    G("(3,-1)", "math", ("(3,-1)", "(3, -1)", "\\left(3, -1\\right)"), ("(-1,3)", "(3,1)", "(-3,-1)")),
    G(
        "\\left( 3, \\frac{\\pi}{2} \\right)",
        "math",
        ("\\left(3,\\frac{\\pi}{2}\\right)", "(3, \\pi/2)"),
        ("\\left(3,\\pi\\right)", "(3, \\frac{\\pi}{4})", "(\\frac{\\pi}{2}, 3)"),
    ),
    G("x^2+7x+10", "math", ("x^2+7x+10", "(x+2)(x+5)", "x^{2} + 7x + 10"), ("x^2+7x+12", "x^2-7x+10", "(x+2)(x+3)")),
    G("[-2,7]", "math", ("[-2,7]", "[-2, 7]", "[ -2 , 7 ]"), ("(-2,7)", "[-2,7)", "[2,7]")),
    G(
        "(-\\infty,-2)\\cup(3,\\infty)",
        "math",
        ("(-\\infty,-2)\\cup(3,\\infty)", "(-\\infty, -2) \\cup (3, \\infty)"),
        ("(-\\infty,-2]\\cup[3,\\infty)", "(-2,3)", "(-\\infty,2)\\cup(3,\\infty)"),
    ),
    G("\\frac{1}{2}", "math", ("\\frac12", "0.5", "1/2", "\\tfrac{1}{2}"), ("\\frac{1}{3}", "2", "0.52")),
    G("-\\frac{7}{3}", "math", ("-\\frac{7}{3}", "\\frac{-7}{3}", "-7/3"), ("\\frac{7}{3}", "-\\frac{3}{7}", "-2.33")),
    G(
        "\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}",
        "math",
        ("\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\-2\\end{pmatrix}"),
        ("\\begin{pmatrix} -2 \\\\ 1 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"),
    ),
    G("90^\\circ", "math", ("90^\\circ", "90", "90^{\\circ}", "90 degrees"), ("45^\\circ", "180", "9")),
    G("1.22", "math", ("1.22", "1,22", "1.220"), ("1.2", "12.2", "1,2")),
    G("\\pi", "math", ("\\pi", "1\\pi", "\\frac{2\\pi}{2}"), ("2\\pi", "\\frac{\\pi}{2}", "3.14")),
    G("5\\sqrt{5}", "math", ("5\\sqrt{5}", "\\sqrt{125}", "5 \\sqrt{5}"), ("5\\sqrt{3}", "25", "\\sqrt{25}")),
    G("\\frac{1}{4}", "math", ("\\frac{1}{4}", "0.25", "25\\%"), ("\\frac{1}{2}", "4", "0.24")),
    G("1, 2", "math", ("1, 2", "2, 1", "\\{1, 2\\}"), ("1", "1, 3", "1, 2, 3")),
    G("-3, 4", "math", ("-3, 4", "4, -3", "x=-3, x=4"), ("3, -4", "-3", "-3, 4, 5")),
    G("y = 2x + 3", "math", ("y = 2x + 3", "y=2x+3", "2x + 3"), ("y = 2x - 3", "y = 3x + 2")),
    G("\\text{Monday}", "math", ("\\text{Monday}", "Monday"), ("\\text{Tuesday}", "Sunday")),
    G("10\\%", "math", ("10\\%", "10", "10 percent"), ("1\\%", "20\\%", "100")),
    G("\\sqrt{13}", "math", ("\\sqrt{13}", "\\sqrt {13}", "13^{1/2}"), ("13", "\\sqrt{11}", "\\sqrt{31}")),
    G("x \\ge 5", "math", ("x \\ge 5", "x \\geq 5", "[5, \\infty)"), ("x \\le 5", "x > 5", "x \\ge 4")),
    G(
        "\\frac{\\pi}{3}",
        "math",
        ("\\frac{\\pi}{3}", "\\pi/3", "\\dfrac{\\pi}{3}"),
        ("\\frac{\\pi}{6}", "\\frac{2\\pi}{3}", "60"),
    ),
    # ---- AIME ----
    G("204", "aime", ("204", "\\boxed{204}", "204."), ("203", "402", "240")),
    G("17", "aime", ("17", "017"), ("71", "18", "170")),
    G("625", "aime", ("625", "625.0"), ("652", "125", "624")),
    G("33", "aime", ("33",), ("32", "34", "3")),
    G("809", "aime", ("809",), ("890", "808", "98")),
    G("116", "aime", ("116",), ("117", "161", "11")),
    G("0", "aime", ("0", "000"), ("1", "10", "-1")),
    # ---- our generators (sympy latex) ----
    G(
        "\\frac{x^{3}}{3} + \\frac{5 x^{2}}{2}",
        "ours",
        ("\\frac{x^3}{3} + \\frac{5x^2}{2} + C", "\\frac{x^3}{3}+\\frac{5}{2}x^2", "\\frac{2x^3+15x^2}{6} + C"),
        ("x^3 + 5x^2 + C", "\\frac{x^3}{3} + 5x^2", "x^2 + 5x"),
        "antiderivative",
        "Compute \\int (x^2 + 5x)\\,dx.",
    ),
    G(
        "6 x + 5",
        "ours",
        ("6x+5", "6 x + 5", "5 + 6x"),
        ("6x+5+C", "6x", "3x^2+5x"),
        "derivative",
        "Differentiate f(x) = 3x^2 + 5x with respect to x.",
    ),
    G(
        "\\cos{\\left(x \\right)}",
        "ours",
        ("\\cos x", "\\cos(x)", "\\cos{x}"),
        ("\\cos x + C", "-\\cos x", "\\sin x"),
        "derivative",
        "Find \\frac{d}{dx} \\sin x.",
    ),
    G(
        "- \\cos{\\left(x \\right)}",
        "ours",
        ("-\\cos x + C", "-\\cos(x)", "-\\cos x + c"),
        ("\\cos x + C", "\\sin x + C"),
        "antiderivative",
        "Evaluate \\int \\sin x \\, dx.",
    ),
    G(
        "-413",
        "ours",
        ("-413", "a_{14} = -413", "a_{14}=-413"),
        ("a_{13} = -413", "-412", "413"),
        "answer",
        "An arithmetic sequence has a_1 = 10 and common difference -32.5384... Find a_{14}.",
    ),
    G(
        "28",
        "ours",
        ("28", "S_{7} = 28", "S_7 = 28"),
        ("S_{6} = 28", "27", "21"),
        "answer",
        "Let S_n be the sum of the first n positive integers. Find S_{7}.",
    ),
    G("x^{2} + 2 x + 1", "ours", ("(x+1)^2", "x^2+2x+1", "1 + 2x + x^2"), ("x^2+2x", "(x-1)^2", "x^2+x+1")),
    G("\\left\\{-2, 3\\right\\}", "ours", ("\\{-2, 3\\}", "3, -2", "x = -2, x = 3"), ("\\{2, -3\\}", "(-2, 3)", "-2")),
    G("\\frac{2}{5}", "ours", ("\\frac{2}{5}", "0.4", "\\frac{4}{10}"), ("\\frac{5}{2}", "0.25", "\\frac{2}{3}")),
    G("e^{2 x}", "ours", ("e^{2x}", "\\exp(2x)", "e^{2 x}"), ("e^{x}", "2e^{2x}", "e^{x^2}")),
    G("\\ln{\\left(x \\right)}", "ours", ("\\ln x", "\\ln(x)", "\\log x"), ("\\ln(2x)", "\\frac{1}{x}", "e^x")),
    G(
        "3 \\sqrt{2}",
        "ours",
        ("3\\sqrt{2}", "\\sqrt{18}", "\\frac{6}{\\sqrt{2}}"),
        ("2\\sqrt{3}", "\\sqrt{6}", "9\\sqrt{2}"),
    ),
    G("\\left(1, 4\\right)", "ours", ("(1, 4)", "(1,4)"), ("(4, 1)", "[1, 4]", "(1, 5)")),
)

HELDOUT: tuple[Gold, ...] = (
    G("48", "gsm8k", ("48", "\\$48", "48 dollars"), ("84", "47", "24")),
    G("7", "gsm8k", ("7", "7 days", "7.0"), ("8", "6", "14")),
    G("2400", "gsm8k", ("2400", "2,400", "\\$2,400.00"), ("240", "2,500", "24000")),
    G("12.5", "gsm8k", ("12.5", "12.50", "\\frac{25}{2}"), ("12", "125", "13.5")),
    G("\\frac{5}{12}", "math", ("\\frac{5}{12}", "\\dfrac{5}{12}", "5/12"), ("\\frac{12}{5}", "\\frac{5}{11}", "0.4")),
    G("4\\sqrt{3}", "math", ("4\\sqrt{3}", "\\sqrt{48}", "4 \\sqrt 3"), ("3\\sqrt{4}", "4\\sqrt{2}", "\\sqrt{12}")),
    G("(2,2),(6,2)", "math", ("(2, 2), (6, 2)", "(6,2),(2,2)"), ("(2,2)", "(2,6),(2,2)", "(2,2),(6,3)")),
    G("1, 3, 5", "math", ("1, 3, 5", "5, 3, 1", "1, 3, \\text{ and } 5"), ("1, 3", "1, 3, 5, 7", "1, 4, 5")),
    G("\\text{(E)}", "math", ("\\text{(E)}", "(E)", "E"), ("\\text{(A)}", "(D)")),
    G("x^2-4", "math", ("x^2-4", "(x-2)(x+2)", "x^{2} - 4"), ("x^2+4", "(x-2)^2", "x^2-2")),
    G("(-1, 5]", "math", ("(-1, 5]", "(-1,5]"), ("[-1, 5]", "(-1, 5)", "(1, 5]")),
    G("\\frac{9}{2}", "math", ("\\frac{9}{2}", "4.5", "9/2"), ("\\frac{2}{9}", "4", "\\frac{9}{4}")),
    G("2.35", "math", ("2.35", "2,35"), ("2.53", "23.5", "2,3")),
    G("3,\\! 000", "math", ("3000", "3,000", "3{,}000"), ("300", "30,000", "3,001")),
    G("100\\pi", "math", ("100\\pi", "\\pi \\cdot 100"), ("10\\pi", "100", "50\\pi")),
    G("351", "aime", ("351", "\\boxed{351}"), ("315", "350", "153")),
    G("40", "aime", ("40", "040"), ("41", "4", "400")),
    G("588", "aime", ("588",), ("558", "589", "885")),
    G(
        "x^{4} + x",
        "ours",
        ("x^4 + x + C", "x + x^4", "x^{4}+x+c"),
        ("4x^3+1", "x^4+C", "x^5 + x"),
        "antiderivative",
        "Compute \\int (4x^3 + 1)\\,dx.",
    ),
    G(
        "12 x^{3} - 2",
        "ours",
        ("12x^3-2", "-2 + 12x^3"),
        ("12x^3 - 2 + C", "12x^3", "3x^4-2x"),
        "derivative",
        "Differentiate 3x^4 - 2x.",
    ),
    G(
        "-58",
        "ours",
        ("-58", "b_{9} = -58"),
        ("b_{8} = -58", "-57", "58"),
        "answer",
        "A sequence satisfies b_1 = 6 and b_{n+1} = b_n - 8. Find b_{9}.",
    ),
    G("\\left\\{-1, 1\\right\\}", "ours", ("\\{-1, 1\\}", "\\pm 1", "1, -1"), ("\\{1\\}", "(-1, 1)", "-1, 0, 1")),
    G("\\frac{3}{8}", "ours", ("\\frac{3}{8}", "0.375", "\\frac{6}{16}"), ("\\frac{8}{3}", "0.38", "\\frac{3}{7}")),
)
